"""The command palette lists every key of the screen it was opened from, plus the jobs, so the
palette can never disagree with the keys (both come from BINDINGS)."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from .i18n import _
from .screens.base import translated


class ActionsProvider(Provider):
    def _commands(self) -> list[tuple[str, str, object, str]]:
        app = self.app
        seen: set[str] = set()
        out = []
        for key, active in translated(self.screen.active_bindings).items():
            binding = active.binding
            if not binding.description or not active.enabled or binding.action in seen:
                continue
            seen.add(binding.action)
            out.append((binding.description, binding.action, active.node, app.get_key_display(binding) or key))
        for name, label in app.job_labels().items():  # type: ignore[attr-defined]
            action = f"app.open_job('{name}')"
            if action not in seen and app.actor is not None:  # type: ignore[attr-defined]
                out.append((_(label), action, app, ""))
        return out

    async def _run(self, action: str, node: object) -> None:
        await self.app.run_action(action, node)  # type: ignore[arg-type]

    async def discover(self) -> Hits:
        for description, action, node, key in self._commands():
            yield DiscoveryHit(description, partial(self._run, action, node), help=key)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for description, action, node, key in self._commands():
            score = matcher.match(description)
            if score > 0:
                yield Hit(score, matcher.highlight(description), partial(self._run, action, node),
                          text=description, help=key)
