"""Accessibility checks of the pages the journeys visit: axe-core (bundled by axe-playwright-python) with the WCAG 2.1
A and AA rules. A serious or critical violation fails the journey, listed with the elements it was found on."""

from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe

WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = {"serious", "critical"}

_axe = Axe()


def violations(page) -> list[str]:
    results = _axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_21_AA}, "resultTypes": ["violations"]})
    found = []
    for violation in results.response["violations"]:
        if violation.get("impact") in BLOCKING:
            targets = [" ".join(map(str, node["target"])) for node in violation["nodes"]][:5]
            found.append(f"{violation['id']} ({violation['impact']}): {violation['help']} — {targets}")
    return found


def assert_accessible(page) -> None:
    found = violations(page)
    assert not found, f"{page.url}:\n" + "\n".join(found)
