from typing import Any

import pytest
from django.contrib.auth import get_user_model

from jamkoll.accounts.models import Role
from jamkoll.accounts.services import role_assign
from jamkoll.obligations.models import Obligation

AGREEMENT = "jamstalldhet-kvinnofrid-2018-2020"
GRANT_2021 = "hedersrelaterat-2021"


def obligation(key: str, decision: str = AGREEMENT) -> Obligation:
    return Obligation.objects.get(decision__slug=decision, key=key)


@pytest.fixture
def ministry(db: None) -> Any:
    user = get_user_model().objects.create_user(username="mia-departement", password="pw-mia")
    role_assign(user=user, role=Role.MINISTRY)
    return user


@pytest.fixture
def signatory(db: None) -> Any:
    user = get_user_model().objects.create_user(username="frida-firmatecknare", password="pw-frida")
    role_assign(user=user, role=Role.SIGNATORY)
    return user


@pytest.fixture
def analyst(db: None) -> Any:
    user = get_user_model().objects.create_user(username="alva-analytiker", password="pw-alva")
    role_assign(user=user, role=Role.ANALYST)
    return user
