from jamkoll.obligations.models import Obligation

AGREEMENT = "jamstalldhet-kvinnofrid-2018-2020"
GRANT_2021 = "hedersrelaterat-2021"


def obligation(key: str, decision: str = AGREEMENT) -> Obligation:
    return Obligation.objects.get(decision__slug=decision, key=key)
