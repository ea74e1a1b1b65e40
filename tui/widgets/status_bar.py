"""The line at the top of every screen: where, who, the network, what still waits to sync, what needs a look."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static

from ..i18n import _
from ..messages import StatusInfo

_NETWORK_STYLE = {"online": "green", "syncing": "yellow", "offline": "red", "not configured": "dim"}


class StatusBar(Static):
    """Shows ``StatusInfo``; the app sets ``info`` (attributes down) after each refresh."""

    DEFAULT_CSS = """
    StatusBar {
        dock: top;
        height: 1;
        background: $panel;
        color: $text;
        padding: 0 1;
    }
    """

    info: reactive[StatusInfo] = reactive(StatusInfo, always_update=True)

    def on_mount(self) -> None:
        # Follow the app's snapshot; installed screens keep their bar, so each one subscribes.
        self.watch(self.app, "status_info", self._follow, init=True)

    def _follow(self, info: StatusInfo) -> None:
        self.info = info

    def _state(self, network: str, compact: bool) -> Text:
        info = self.info
        state = Text(no_wrap=True)
        state.append(" │ ")
        state.append("● " + network, style=_NETWORK_STYLE.get(info.network, ""))
        state.append(" │ ")
        state.append(_("{n} to sync").format(n=info.pending))
        if info.attention:
            state.append(" │ ")
            state.append("⚑ " + _("{n} need attention").format(n=info.attention), style="bold yellow")
        state.append(" │ ")
        when = info.last_sync or _("never")
        state.append(when if compact else _("last sync: {when}").format(when=when))
        return state

    def render(self) -> Text:
        """Where and who on the left, the sync state on the right. On a narrow terminal the left
        part is shortened first (down to the terminal's code), then the labels of the state; the
        network, the backlog, the attention count and the sync time stay."""
        info = self.info
        network = {"online": _("online"), "offline": _("offline"), "syncing": _("syncing"),
                   "not configured": _("no sync")}.get(info.network, info.network)
        width = self.content_size.width
        state = self._state(network, compact=False)
        who = Text(f"{info.location} · {info.terminal}", style="bold", no_wrap=True)
        if info.user:
            who.append(f" · {info.user}")
        if width and who.cell_len + state.cell_len > width:
            who = Text(info.terminal, style="bold", no_wrap=True)
            if info.user:
                who.append(f" · {info.user}")
            if len(info.terminal) + state.cell_len > width:
                state = self._state(network, compact=True)
            room = width - state.cell_len
            if who.cell_len > room:
                who = Text(info.terminal, style="bold") if room <= len(info.terminal) + 4 else who
                who.truncate(max(room, len(info.terminal)), overflow="ellipsis")
        return Text.assemble(who, state, no_wrap=True, overflow="ellipsis")
