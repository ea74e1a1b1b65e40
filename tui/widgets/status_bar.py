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

    def render(self) -> Text:
        info = self.info
        network = {"online": _("online"), "offline": _("offline"), "syncing": _("syncing"),
                   "not configured": _("no sync")}.get(info.network, info.network)
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(f"{info.location} · {info.terminal}", style="bold")
        if info.user:
            text.append(f" · {info.user}")
        text.append(" │ ")
        text.append("● " + network, style=_NETWORK_STYLE.get(info.network, ""))
        text.append(" │ ")
        text.append(_("{n} to sync").format(n=info.pending))
        if info.attention:
            # Shown only when there is something (F11 at home lists it), before the time so a
            # narrow terminal cuts the time, not this.
            text.append(" │ ")
            text.append("⚑ " + _("{n} need attention").format(n=info.attention), style="bold yellow")
        text.append(" │ ")
        text.append(_("last sync: {when}").format(when=info.last_sync or _("never")))
        return text
