"""JämKoll: follow-up of the state–SKR agreements on gender equality and on ending men's violence
against women."""

__version__ = "0.1.0"
