"""Extension points: how a lower layer reacts to a higher one without importing it.

A package offers a `Hook` (a named list of callables); a package above it registers its
callables in its `AppConfig.ready()`. The lower layer calls whatever is registered, so
the import graph follows the layers (docs/layout.md) while, say, merchants' permission
rules still let industrybelts' providers see the merchants of their belts.

    application_viewers = Hook("merchants.application_viewers")      # merchants/permissions.py
    application_viewers.register(provider_can_view_merchant)        # industrybelts/apps.py
    any(rule(user, merchant) for rule in application_viewers)       # merchants asks
"""

from collections.abc import Callable, Iterator


class Hook:
    def __init__(self, name: str, doc: str = ""):
        self.name = name
        self.__doc__ = doc
        self._callables: list[Callable] = []

    def register(self, function: Callable) -> Callable:
        """Add `function` once (registering twice, as a second ready() would, changes nothing)."""
        if function not in self._callables:
            self._callables.append(function)
        return function

    def __iter__(self) -> Iterator[Callable]:
        return iter(tuple(self._callables))

    def __len__(self) -> int:
        return len(self._callables)

    def any(self, *args, **kwargs) -> bool:
        """Return whether any registered rule holds for these arguments."""
        return any(rule(*args, **kwargs) for rule in self)

    def first(self, *args, **kwargs):
        """Return the first registered callable's answer that is not None, else None."""
        for function in self:
            answer = function(*args, **kwargs)
            if answer is not None:
                return answer
        return None

    def __repr__(self) -> str:
        return f"<Hook {self.name}: {len(self)} registered>"
