import pytest

from discourse.ingest.language import _clearly_english, detect_language

EN = ("The council and the health board agreed that the new service would be designed with the people "
      "who use it, and that the budget would be shared between them for the next three years.")
DE = ("Der Gemeinderat und die Gesundheitsbehörde haben vereinbart, dass der neue Dienst gemeinsam mit den "
      "Menschen gestaltet wird, die ihn nutzen, und dass das Budget geteilt wird.")
FR = ("Le conseil municipal et l'agence de santé ont convenu que le nouveau service serait conçu avec les "
      "personnes qui l'utilisent et que le budget serait partagé entre eux pendant trois ans.")


@pytest.mark.parametrize(("text", "lang"), [(EN, "en"), (DE, "de"), (FR, "fr"), ("too short", None)])
def test_detect_language(text, lang):
    assert detect_language(text) == lang


def test_quick_english_path_only_for_clear_english():
    assert _clearly_english(EN)
    assert not _clearly_english(DE) and not _clearly_english(FR) and not _clearly_english("the the the")
