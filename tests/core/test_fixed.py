"""`{% fixed %}`: the layout's constant parts, drawn once per process per key."""

import itertools

import pytest
from django.template import Context, Template, TemplateSyntaxError
from django.test import override_settings
from django.utils import translation


def _template(body: str) -> Template:
    return Template("{% load fixed i18n %}" + body)


def test_a_part_is_drawn_once_and_reused():
    draws = itertools.count(1)
    template = _template("{% fixed %}drawn {{ draw }}{% endfixed %}, now {{ draw }}")

    first = template.render(Context({"draw": lambda: next(draws)}))
    second = template.render(Context({"draw": lambda: next(draws)}))

    assert first == "drawn 1, now 2"
    assert second == "drawn 1, now 3"  # the part kept, what is outside drawn afresh


def test_each_value_of_the_key_and_each_language_has_its_own_part():
    template = _template('{% fixed role %}{{ role }} {% translate "Log out" %}{% endfixed %}')

    with translation.override("zh-hans"):
        assert template.render(Context({"role": "seller"})) == "seller 退出登录"
        assert template.render(Context({"role": "provider"})) == "provider 退出登录"
    with translation.override("en"):
        assert template.render(Context({"role": "seller"})) == "seller Log out"


def test_two_parts_of_one_template_are_two_places():
    template = _template("{% fixed %}a{{ x }}{% endfixed %}{% fixed %}b{{ x }}{% endfixed %}")

    assert template.render(Context({"x": 1})) == "a1b1"


def test_a_block_inside_is_refused():
    with pytest.raises(TemplateSyntaxError, match="block"):
        _template("{% fixed %}{% block menu %}{% endblock %}{% endfixed %}")


def test_a_changed_setting_forgets_what_was_drawn():
    template = _template("{% fixed %}{% url 'storefront:home' %}{{ x }}{% endfixed %}")
    assert template.render(Context({"x": 1})) == "/1"

    with override_settings(PORTAL_ANY_SETTING=True):
        assert template.render(Context({"x": 2})) == "/2"
