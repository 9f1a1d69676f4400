"""English and Spanish: the interface follows the chosen language; content keeps its own language field."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_pages_in_spanish_after_choosing_it(client):
    english = client.get(reverse("network:home")).content.decode()
    assert "The Safe Education network" in english and '<html lang="en">' in english
    response = client.post(reverse("set_language"), {"language": "es", "next": reverse("network:home")})
    assert response.status_code == 302
    spanish = client.get(reverse("network:home")).content.decode()
    assert "La red de Educación Segura" in spanish and '<html lang="es">' in spanish
    assert "Únase a la red" in spanish and "Escuelas" in spanish  # page and navigation
    join = client.get(reverse("network:join")).content.decode()
    assert "Año de nacimiento" in join and "(c) Participante activo" in join  # form labels and choices


def test_browser_language_is_honoured(client):
    page = client.get(reverse("network:home"), headers={"Accept-Language": "es-ES,es;q=0.9"}).content.decode()
    assert "La red de Educación Segura" in page


def test_hub_and_library_pages_in_spanish(client):
    from safeschool.web.accounts.models import Role
    from safeschool.web.accounts.services import user_create

    client.force_login(user_create(username="lector", password="pw-long-enough-1", role=Role.RESEARCHER))
    client.post(reverse("set_language"), {"language": "es", "next": "/"})
    programmes = client.get(reverse("hub:programmes")).content.decode()
    assert "Ningún programa coincide." in programmes and "Biblioteca" in programmes
    assert "Comunidades" in client.get(reverse("hub:home")).content.decode()
