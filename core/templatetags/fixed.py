"""`{% fixed value ... %}…{% endfixed %}`: a part of the layout drawn once per process.

The header and footer around every page are the same for a given language and set of
roles, yet each page drew them afresh: their URLs (`reverse`, 20 µs each), the static
files' hashed names and the translations cost 0.4 ms of a page whose body came from the
cache in 2.6 (docs/performance.md, change 34). A `fixed` part is drawn on its first use
for its key and reused from then on; the key is the tag's place in its template, the
active language, the script prefix and the values the tag names.

What is inside must depend on nothing else: never a CSRF token, a nonce, the request's
path or a user's own data; those stay between the parts. Blocks inside would be frozen
too, so the tag refuses them. Settings that a test changes (URLs, languages, static
storage) empty the store (`setting_changed`).
"""

import itertools

from django import template
from django.core.signals import setting_changed
from django.template.loader_tags import BlockNode
from django.urls import get_script_prefix
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

register = template.Library()

# Keys are few (parts × languages × role sets); the bound only guards against a misuse
# that puts an unbounded value in a key.
MAX_PARTS = 2000

_drawn: dict[tuple, str] = {}
_places = itertools.count()


@register.tag
def fixed(parser, token):
    values = [parser.compile_filter(bit) for bit in token.split_contents()[1:]]
    nodelist = parser.parse(("endfixed",))
    parser.delete_first_token()
    if nodelist.get_nodes_by_type(BlockNode):
        raise template.TemplateSyntaxError("{% fixed %} cannot hold a {% block %}: it would be frozen")
    return FixedNode(nodelist, values, next(_places))


class FixedNode(template.Node):
    def __init__(self, nodelist, values, place: int):
        self.nodelist = nodelist
        self.values = values
        self.place = place

    def render(self, context):
        key = (
            self.place,
            get_language(),
            get_script_prefix(),
            *(value.resolve(context) for value in self.values),
        )
        html = _drawn.get(key)
        if html is None:
            html = self.nodelist.render(context)
            if len(_drawn) >= MAX_PARTS:
                _drawn.clear()
            _drawn[key] = html
        return mark_safe(html)  # noqa: S308 (rendered by the template's own autoescaping nodes)


def forget(**_kwargs) -> None:
    _drawn.clear()


setting_changed.connect(forget)
