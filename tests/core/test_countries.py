"""core.countries: country names in the reader's language."""

import pytest
from django.utils import translation

from convivencia.core import countries


def test_a_country_is_named_in_each_of_the_site_languages():
    assert countries.name("ZA", "en") == "South Africa"
    assert countries.name("ZA", "es") == "Sudáfrica"
    assert countries.name("ZA", "pt") == "África do Sul"


def test_alpha_3_codes_and_lower_case_are_read_too():
    assert countries.name("zaf", "pt") == "África do Sul"
    assert countries.alpha2("col") == "CO"


def test_the_everyday_name_is_used_and_translated():
    assert countries.name("BO", "en") == "Bolivia"
    assert countries.name("BO", "pt") == "Bolívia"


def test_the_active_language_is_the_default():
    with translation.override("pt"):
        assert countries.name("BR") == "Brasil"
    with translation.override("en"):
        assert countries.name("BR") == "Brazil"


def test_a_language_without_a_catalogue_reads_english():
    assert countries.name("MX", "zz") == "Mexico"


@pytest.mark.parametrize("code", ["", "X", "XX", "ZZZ", "Colombia"])
def test_an_unknown_code_is_refused_by_name(code):
    with pytest.raises(countries.UnknownCountry, match="ISO 3166-1"):
        countries.name(code, "es")


def test_choices_are_sorted_by_the_name_in_the_language_ignoring_accents():
    pairs = countries.choices(["ZA", "AR", "AT"], "pt")
    assert [code for code, _name in pairs] == ["ZA", "AR", "AT"]  # África, Argentina, Áustria
