"""The portal's own error pages, in Japanese, also under DEBUG for a logged-in user (`make run`)."""

from __future__ import annotations

from django.test import override_settings

from tests.webtools import log_in, page_text


@override_settings(DEBUG=True)
def test_a_logged_in_user_gets_the_portals_404_for_an_unknown_url_under_debug(city, client):
    log_in(client, city.applicant.user)
    response = client.get("/approvals/no-such-page/")
    assert response.status_code == 404
    text = page_text(response)
    assert "ページが見つかりません" in text and "URLconf" not in text


@override_settings(DEBUG=True)
def test_a_logged_in_user_gets_the_portals_404_for_a_document_they_may_not_see_under_debug(city, client, office):
    from tests.approvals.helpers import file_leave

    document = file_leave(city, office)
    log_in(client, city.outsider.user)
    response = client.get(f"/approvals/documents/{document.pk}/")
    assert response.status_code == 404
    assert "ページが見つかりません" in page_text(response)


def test_the_500_page_is_the_portals_own_in_japanese(client, settings):
    from django.template.loader import render_to_string

    html = render_to_string("500.html")
    assert "エラーが発生しました" in html and "情報政策課" in html
