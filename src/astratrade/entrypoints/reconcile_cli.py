"""`astratrade reconcile`: the ledger proven against trading, and live accounts against
Extended."""

from __future__ import annotations

import typer

from astratrade.config import Settings
from astratrade.entrypoints.operator_runs import operate


def reconcile() -> None:
    """Prove the ledger against trading: exit 0 when every account agrees, 1 with each
    discrepancy (and the events behind it) listed otherwise."""
    from astratrade.financial.reconciliation import reconciliation
    from astratrade.infrastructure.db import create_engine
    from astratrade.trading.views import collateral_by_account

    settings = Settings()

    async def run() -> bool:
        # Read only: the serving process (or the workers) deliver events; a second platform
        # started here would be a second writer of trading's state.
        engine = create_engine(settings.resolved_database_url, read_only=True)
        try:
            report = await reconciliation(engine, lambda: collateral_by_account(engine))
        finally:
            await engine.dispose()
        for finding in report.findings:
            gap = finding.discrepancy
            typer.echo(
                f"DISCREPANCY {gap.account}: ledger {gap.ledger} trading {gap.trading} "
                f"gap {gap.gap}" + "".join(f"\n  unposted {e}" for e in finding.unposted_events)
            )
        verdict = "proven" if report.proven else f"{len(report.findings)} discrepancies"
        typer.echo(f"reconciliation of {report.accounts} accounts: {verdict}")
        return report.proven and await _live_proven(settings)

    if not operate(run, settings):
        raise typer.Exit(1)


async def _live_proven(settings: Settings) -> bool:
    """Live accounts' collateral against Extended's balances (with the secrets key only:
    without it no live account can be connected)."""
    if settings.secrets_key is None:
        return True
    from astratrade.infrastructure.db import create_engine
    from astratrade.infrastructure.sealing import Sealer, key_from_text
    from astratrade.trading.adapters.extended_orders import ExtendedOrders
    from astratrade.trading.adapters.venue_links import connected_links
    from astratrade.trading.live_reconciliation import live_gaps, live_position_gaps
    from astratrade.trading.views import collateral_by_account, position_sizes_by_account

    engine = create_engine(settings.resolved_database_url, read_only=True)
    try:
        links = await connected_links(engine, Sealer(key_from_text(settings.secrets_key)))
        venue = ExtendedOrders(settings.extended_api_url, settings.extended_markets)
        gaps = await live_gaps(links, venue.balance, await collateral_by_account(engine))
        sizes = await position_sizes_by_account(engine, [link.account_id for link in links])
        position_gaps = await live_position_gaps(links, venue.positions, sizes)
    finally:
        await engine.dispose()
    for found in gaps:
        venue_says = "unreachable" if found.venue is None else str(found.venue)
        typer.echo(
            f"LIVE GAP {found.account_id}: platform {found.platform} extended {venue_says}"
            + ("" if found.gap is None else f" gap {found.gap}")
        )
    for moved in position_gaps:
        typer.echo(
            f"LIVE GAP {moved.account_id} position {moved.market}: platform {moved.platform} "
            f"extended {moved.venue} gap {moved.gap}"
        )
    verdict = "proven" if not gaps else f"{len(gaps)} gaps"
    typer.echo(f"live collateral of {len(links)} accounts against Extended: {verdict}")
    verdict = "proven" if not position_gaps else f"{len(position_gaps)} gaps"
    typer.echo(f"live positions of {len(links)} accounts against Extended: {verdict}")
    return not gaps and not position_gaps
