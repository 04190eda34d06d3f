"""The shell every page shares: login, logout, header, language switch and zone badge."""

from __future__ import annotations

from django.urls import reverse

from tests.conftest import PASSWORD
from tests.webtools import log_in, make_hr_staff, page_text

GENERIC_LOGIN_ERROR = "正しいユーザー名とパスワードを入力してください"


def test_a_section_head_logs_in_with_the_password_and_lands_on_my_page(city, client):
    response = client.post(reverse("login"), {"username": "100004", "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("personnel:my_page")
    assert "高橋 健" in page_text(response)


def test_it_refuses_a_wrong_password_with_a_generic_message(city, client):
    response = client.post(reverse("login"), {"username": "100004", "password": "wrong-password-1"})
    assert response.status_code == 200
    assert GENERIC_LOGIN_ERROR in page_text(response)
    assert "_auth_user_id" not in client.session


def test_an_unknown_login_name_gets_the_same_message_as_a_wrong_password(city, client):
    wrong_password = client.post(reverse("login"), {"username": "100004", "password": "nope-nope-1"})
    unknown_user = client.post(reverse("login"), {"username": "999999", "password": "nope-nope-1"})
    assert GENERIC_LOGIN_ERROR in page_text(unknown_user)
    errors = [r.context["form"].non_field_errors() for r in (wrong_password, unknown_user)]
    assert errors[0] == errors[1]


def test_the_login_page_is_in_japanese_with_a_lang_attribute(city, client):
    text = page_text(client.get(reverse("login")))
    assert '<html lang="ja">' in text
    assert "決裁ポータル" in text
    assert "ログイン" in text


def test_anonymous_visitors_are_sent_to_the_login_page(city, client):
    response = client.get(reverse("personnel:my_page"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_logging_out_takes_a_post(city, client):
    log_in(client, city.approver.user)
    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_the_header_shows_the_user_name_menu_and_office_badge(city, client):
    log_in(client, city.approver.user)
    text = page_text(client.get(reverse("personnel:my_page")))
    assert 'class="user-name"' in text and "高橋 健" in text
    assert reverse("personnel:directory") in text
    assert reverse("personnel:unit_tree") in text
    assert "庁内" in text
    assert 'action="/logout/"' in text


def test_the_header_shows_the_remote_badge_from_home(city, client):
    log_in(client, city.approver.user, remote=True, otp=True)
    text = page_text(client.get(reverse("personnel:my_page")))
    assert "庁外（テレワーク）" in text
    assert "zone-badge--office" not in text


def test_it_hides_the_admin_link_from_staff_outside_hr(city, client):
    log_in(client, city.approver.user)
    assert reverse("admin:index") not in page_text(client.get(reverse("personnel:my_page")))


def test_it_shows_the_admin_link_to_hr_in_the_office(city, client):
    make_hr_staff(city.hr_clerk)
    log_in(client, city.hr_clerk.user)
    assert reverse("admin:index") in page_text(client.get(reverse("personnel:my_page")))


def test_it_hides_the_admin_link_from_hr_working_from_home(city, client):
    make_hr_staff(city.hr_clerk)
    log_in(client, city.hr_clerk.user, remote=True, otp=True)
    assert reverse("admin:index") not in page_text(client.get(reverse("personnel:my_page")))


def test_the_page_renders_in_english_when_the_browser_asks_for_it(city, client):
    log_in(client, city.approver.user)
    text = page_text(client.get(reverse("personnel:my_page"), HTTP_ACCEPT_LANGUAGE="en"))
    assert '<html lang="en">' in text
    assert "My page" in text and "Staff directory" in text and "Office network" in text
    assert "マイページ" not in text


def test_the_language_switch_keeps_english_in_a_cookie(city, client, settings):
    log_in(client, city.approver.user)
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("personnel:directory")})
    assert response.status_code == 302 and response["Location"] == reverse("personnel:directory")
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert '<html lang="en">' in page_text(client.get(reverse("personnel:directory")))
