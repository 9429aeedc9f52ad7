from django.urls import path

from . import views

app_name = "ledger"

urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:slug>/<int:year>/", views.ledger_page, name="page"),
    path("<slug:slug>/<int:year>/rattelse/<int:sequence>/", views.reverse_entry, name="reverse"),
]
