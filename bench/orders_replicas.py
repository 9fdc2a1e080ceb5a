"""Trading as two replicas on two shards against one replica holding both, in one run, on
PostgreSQL and Redis: orders/s and the CPU an order costs, process by process.

Layout A is `astratrade up --distributed --trading-replicas 1`, layout B the same with
`--trading-replicas 2`, both with ASTRATRADE_TRADING_SHARDS=2, each on a fresh database
and Redis prefix of its own (dropped after). In each: --traders traders signed up through
the gateway, as many kept in shard 0 as in shard 1; in B, a wait until each replica holds
one shard. Then --concurrency closed-loop clients place 0.001 BTC-USD market orders (each
trader alternating buy and sell) for --seconds, each sent straight to the replica writing
its trader's shard (by the shard map a replica answers), so the gateway's cost is left out.

CPU of each process from /proc/<pid>/stat over the loop, and after it until the processes
started by `up` are idle again (the consumers' catch-up belongs to the orders): each trading
replica, the other services, the relay, the gateway, `up` itself, every `postgres` and
`redis-server` process on the machine (whoever else uses them counts too) and this client.
No target: the figures, B's orders/s over A's, and what one replica would place on a core
of its own.

    python -m bench.orders_replicas [--seconds 10] [--concurrency 16] [--traders 16]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import textwrap
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import httpx
import redis.asyncio as aioredis

from astratrade.config import Settings
from astratrade.infrastructure.service_calls import SERVICE_KEY_HEADER
from astratrade.infrastructure.shard_map import MAP_PATH
from astratrade.shared.shards import shard_of
from bench.common import cpu_of_processes, load_average, main, percentile
from bench.orders_gateway import ADMIN_URL, REDIS_URL, SECRET, layout, ready
from bench.orders_http import (
    Connections,
    Run,
    Send,
    Server,
    Trader,
    closed_loop,
    free_port,
    practice_account,
    sender,
    sign_up,
)

SHARDS = 2
SHARED = ("postgres", "redis-server")  # machine-wide servers, by process name
CLIENT = "bench client"
WARMUP_SECONDS = 2.0
IDLE_SECONDS = 2.0
SETTLE_WITHIN = 60.0
SETTLE_INTERVAL = 0.5


# -- processes ---------------------------------------------------------------------------------


def _stat(pid: int | str) -> list[str] | None:
    """The fields of /proc/<pid>/stat after the command name; None when it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2 :].split()


def cpu_seconds(pids: list[int]) -> float:
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        if (fields := _stat(pid)) is not None:
            total += int(fields[11]) + int(fields[12])
    return total / ticks


def machine_busy_seconds() -> float:
    """CPU seconds every core spent busy since boot (all but idle and iowait), /proc/stat."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(fields[:8]) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")


def process_groups(up: Server) -> dict[str, list[int]]:
    """Every process under `up`, grouped by the child of `up` it descends from, named as
    `up` names it in its log ("trading-2 | started (pid 123)"); `up` itself too."""
    names = {
        int(pid): name
        for name, pid in re.findall(
            r"^\s*(\S+) \| started \(pid (\d+)\)$", up.log.read_text(), re.MULTILINE
        )
    }
    parents = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        if (fields := _stat(stat.parent.name)) is not None:
            parents[int(stat.parent.name)] = int(fields[1])
    groups: dict[str, list[int]] = {"up": [up.process.pid]}
    for pid in parents:
        child, ancestor = pid, parents.get(pid)
        while ancestor is not None and ancestor != up.process.pid:
            child, ancestor = ancestor, parents.get(ancestor)
        if ancestor == up.process.pid:
            groups.setdefault(names.get(child, f"pid {child}"), []).append(pid)
    return groups


class Snapshot:
    """CPU seconds so far of each group, the shared servers, this client and the machine."""

    def __init__(self, groups: dict[str, list[int]]) -> None:
        self.at = time.perf_counter()
        self.cpu = {name: cpu_seconds(pids) for name, pids in groups.items()}
        self.cpu |= cpu_of_processes(SHARED)
        self.cpu[CLIENT] = time.process_time()
        self.machine = machine_busy_seconds()

    def since(self, earlier: Snapshot) -> dict[str, float]:
        return {name: self.cpu[name] - earlier.cpu.get(name, 0.0) for name in self.cpu}


def ours(cpu: dict[str, float]) -> float:
    """The CPU of the processes `up` started (the settle watches these)."""
    return sum(v for name, v in cpu.items() if name not in (*SHARED, CLIENT))


# -- shards ------------------------------------------------------------------------------------


async def shard_holders(replicas: list[str], replicas_wanted: int, within: float = 90) -> list[str]:
    """The address holding each shard, once `replicas_wanted` distinct replicas hold them
    all (in B the second replica takes its fair share from the first within a few lease
    rounds)."""
    key = Settings(jwt_secret=SECRET).service_key  # every process derives it from the secret
    deadline, last = time.monotonic() + within, None
    async with httpx.AsyncClient(timeout=2, headers={SERVICE_KEY_HEADER: key}) as client:
        while time.monotonic() < deadline:
            for url in replicas:
                try:
                    answer = await client.get(url + MAP_PATH)
                    answer.raise_for_status()
                except httpx.HTTPError:
                    continue
                last = answer.json()
                holders = [entry["address"] for entry in last["holders"]]
                if None not in holders and len(set(holders)) == replicas_wanted:
                    return list(holders)
            await asyncio.sleep(0.5)
    raise RuntimeError(f"the shards were not spread over {replicas_wanted} replicas: {last}")


def trading_urls(up: Server) -> list[str]:
    found = re.search(r"services at \S*trading=([^,\s]+)", up.log.read_text())
    if not found:
        raise RuntimeError(f"no trading URLs in the log of up:\n{up.log_tail()}")
    return found[1].split("|")


@dataclass
class Placed:
    trader: Trader
    shard: int


async def balanced_traders(gateway: str, count: int) -> list[Placed]:
    """`count` traders (rounded down to even) signed up through the gateway, half in each
    shard: sign-ups go on until both shards have their half (user ids are random), the
    surplus of one shard is left out. Ordered shard 0, shard 1, shard 0, ... so consecutive
    clients alternate between the shards; then each one's practice account (opened by the
    consumer group of the trader's shard, on the replica holding it)."""
    each = max(1, count // SHARDS)
    by_shard: dict[int, list[tuple[str, dict[str, str]]]] = {s: [] for s in range(SHARDS)}
    async with httpx.AsyncClient(base_url=gateway, timeout=30) as client:
        for n in range(8 * each):  # one at a time: argon2 at full cost on a small machine
            if min(len(people) for people in by_shard.values()) >= each:
                break
            user_id, headers = await sign_up(client, n)
            by_shard[shard_of(user_id, SHARDS)].append((user_id, headers))
        else:
            raise RuntimeError(f"not {each} traders in each shard after {8 * each} sign-ups")
        kept = [by_shard[s][i] for i in range(each) for s in range(SHARDS)]
        accounts = await asyncio.gather(
            *(practice_account(client, headers, within=30) for _, headers in kept)
        )
    return [
        Placed(Trader(headers, account), shard_of(user_id, SHARDS))
        for (user_id, headers), account in zip(kept, accounts, strict=True)
    ]


# -- one layout --------------------------------------------------------------------------------


@dataclass
class Result:
    replicas: int
    run: Run
    orders: dict[str, int]  # orders placed, by replica (its name in `up`)
    shards_of: dict[str, list[int]]  # the shards each replica held
    loop: dict[str, float]  # CPU seconds over the loop, by group
    after: dict[str, float]  # CPU seconds after the loop until idle, idle rate taken off
    settle_seconds: float
    idle_cores: float  # the processes of `up` at rest, before the loop
    machine_cores: float  # every core's busy time over the loop / its wall time
    traders: int = 0
    consumers: dict[str, str] = field(default_factory=dict)  # trading's groups: who runs each
    notes: list[str] = field(default_factory=list)

    @property
    def total_orders(self) -> int:
        return sum(self.orders.values())

    @property
    def loop_cores(self) -> float:
        """Cores the listed processes kept busy in the loop."""
        return sum(self.loop.values()) / self.run.seconds

    def cpu(self, name: str) -> float:
        return self.loop.get(name, 0.0) + self.after.get(name, 0.0)


def replica_names(groups: dict[str, list[int]], urls: list[str]) -> dict[str, str]:
    """The name `up` gives each trading replica, by its URL (its port on the command line)."""
    names = {}
    for name, pids in groups.items():
        try:
            command = Path(f"/proc/{pids[0]}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"--service" in command and b"trading" in command:
            port = command[command.index(b"--port") + 1].decode()
            names.update({url: name for url in urls if url.endswith(f":{port}")})
    return names


def routed(
    pools: dict[str, Connections], placed: list[Placed], holders: list[str]
) -> tuple[Send, list[int]]:
    """A send of trader n % len(placed)'s next order to the replica holding its shard (the
    helper of bench.orders_http per replica, each over the traders of its shards), and the
    counts of orders placed by replica, in `pools`' order."""
    urls = list(pools)
    mine = {url: [p.trader for p in placed if holders[p.shard] == url] for url in urls}
    sends = {url: sender(pools[url], "/api/v1/orders", mine[url], platform=True) for url in urls}
    where = [(url, mine[url].index(p.trader)) for p in placed for url in [holders[p.shard]]]
    counts = [0] * len(urls)

    async def send(n: int) -> bool:
        url, index = where[n % len(where)]
        ok = await sends[url](index)
        counts[urls.index(url)] += ok
        return ok

    return send, counts


async def settle(groups: dict[str, list[int]], idle: float) -> tuple[Snapshot, float]:
    """Wait until the processes of `up` are back to their idle rate (within 5 % of a core,
    two intervals running): the consumers' catch-up after the clients stopped."""
    started, last, quiet = time.perf_counter(), Snapshot(groups), 0
    while time.perf_counter() - started < SETTLE_WITHIN and quiet < 2:
        await asyncio.sleep(SETTLE_INTERVAL)
        now = Snapshot(groups)
        share = ours(now.since(last)) / (now.at - last.at)
        quiet = quiet + 1 if share <= idle + 0.05 else 0
        last = now
    return last, last.at - started


def text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


async def consumer_holders(prefix: str, groups: dict[str, list[int]]) -> dict[str, str]:
    """Which process runs each of trading's consumer groups (its shards' commands, its read
    models): the holder of the group's lease in Redis, named "<host>-<pid>"."""
    by_pid = {pid: name for name, pids in groups.items() for pid in pids}
    found = {}
    keys = aioredis.from_url(REDIS_URL)
    try:
        async for raw in keys.scan_iter(match=f"{prefix}astratrade.trading*.lease"):
            value = await keys.get(raw)  # "<holder> <token>"
            holder = text(value).split(" ")[0] if value else "nobody"
            pid, key = holder.rsplit("-", 1)[-1], text(raw)
            group = key.removeprefix(f"{prefix}astratrade.").removesuffix(".lease")
            found[group] = by_pid.get(int(pid), holder) if pid.isdigit() else holder
    finally:
        await keys.aclose()
    return dict(sorted(found.items()))


async def measure(up: Server, prefix: str, replicas: int, args: argparse.Namespace) -> Result:
    urls = trading_urls(up)
    for url in urls:
        await ready(url)
    await ready(up.url)
    holders = await shard_holders(urls, replicas)
    placed = await balanced_traders(up.url, args.traders)
    print(f"    {len(placed)} traders with practice accounts, holders {holders}")
    groups = process_groups(up)
    names = replica_names(groups, urls)
    pools = {url: Connections(url, args.concurrency) for url in urls}
    send, counts = routed(pools, placed, holders)
    try:
        rest = Snapshot(groups)
        await asyncio.sleep(IDLE_SECONDS)
        idle = ours(Snapshot(groups).since(rest)) / IDLE_SECONDS  # to know when it settles
        await closed_loop(send, up, args.concurrency, WARMUP_SECONDS)  # connections, caches
        await settle(groups, idle)
        rest = Snapshot(groups)
        await asyncio.sleep(IDLE_SECONDS)
        at_rest = Snapshot(groups).since(rest)
        idle = ours(at_rest) / IDLE_SECONDS
        counts[:] = [0] * len(counts)
        print(f"    {args.concurrency} clients for {args.seconds:g} s ...")
        before = Snapshot(groups)
        run = await closed_loop(send, up, args.concurrency, args.seconds)
        end = Snapshot(groups)
        done, settle_seconds = await settle(groups, idle)
        consumers = await consumer_holders(prefix, groups)
    finally:
        for pool in pools.values():
            await pool.aclose()
    after = {
        name: max(0.0, value - at_rest.get(name, 0.0) / IDLE_SECONDS * settle_seconds)
        for name, value in done.since(end).items()
        if name != CLIENT  # the client is idle then, and its waiting is not an order's
    }
    moved = await shard_holders(urls, replicas, within=5)
    result = Result(
        replicas,
        run,
        {names.get(url, url): count for url, count in zip(urls, counts, strict=True)},
        {names.get(url, url): [s for s, h in enumerate(holders) if h == url] for url in urls},
        end.since(before),
        after,
        settle_seconds,
        idle,
        (end.machine - before.machine) / (end.at - before.at),
        len(placed),
        consumers,
    )
    if moved != holders:
        result.notes.append(f"the shards moved during the run: {holders} then {moved}")
    if settle_seconds >= SETTLE_WITHIN:
        result.notes.append(f"still busy {SETTLE_WITHIN:g} s after the loop")
    return result


# -- the run -----------------------------------------------------------------------------------


async def bench(args: argparse.Namespace, workdir: Path) -> bool:
    run_id = uuid.uuid4().hex[:8]
    admin = await asyncpg.connect(ADMIN_URL)
    results: dict[str, Result] = {}
    try:
        for label, replicas in (("A", 1), ("B", 2)):
            if label not in args.layouts:
                continue
            port = free_port()
            command = ["up", "--distributed", "--port", str(port)]
            command += ["--trading-replicas", str(replicas)]
            print(f"  layout {label}: {replicas} trading replica(s), {SHARDS} shards ...")
            prefix = f"bench-{run_id}-{label.lower()}:"
            async with layout(
                admin,
                f"bench_replicas_{run_id}_{label.lower()}",
                prefix,
                workdir,
                command,
                port,
                {"ASTRATRADE_TRADING_SHARDS": str(SHARDS)},
            ) as (up, _):
                try:
                    results[label] = await measure(up, prefix, replicas, args)
                except BaseException:
                    print(f"--- log of up (layout {label}) ---\n{up.log_tail(60)}")
                    raise
    finally:
        await admin.close()
        keys = aioredis.from_url(REDIS_URL)
        async for key in keys.scan_iter(match=f"bench-{run_id}-*"):
            await keys.delete(key)
        await keys.aclose()
    report(results, args)
    return True


# -- the report --------------------------------------------------------------------------------

OTHERS = ("gamification", "financial", "users", "relay", "gateway", "up")


def is_replica(name: str) -> bool:
    return name == "trading" or name.startswith("trading-")


def rows(result: Result) -> list[str]:
    """Every group of the report, in order: the replicas, the other processes of `up`, the
    shared servers, the client."""
    names = set(result.loop) | set(result.after)
    replicas = sorted(n for n in names if is_replica(n))
    other = [n for n in OTHERS if n in names]
    other += sorted(n for n in names if n not in (*replicas, *other, *SHARED, CLIENT))
    return [*replicas, *other, *SHARED, CLIENT]


def report(results: dict[str, Result], args: argparse.Namespace) -> None:
    first = next(iter(results.values()))
    say(
        f"\nTrading replicas on {SHARDS} shards, PostgreSQL + Redis: {args.concurrency} clients "
        f"for {args.seconds:g} s, {first.traders} traders (half a shard), each order sent "
        f"straight to its shard's replica; load {load_average()} on {os.cpu_count()} CPUs"
    )
    labels = {
        k: f"{k}: {r.replicas} replica{'s' if r.replicas > 1 else ''}" for k, r in results.items()
    }
    width = 30
    line = f"{'':<{width}}" + "".join(f"{labels[k]:>24}" for k in results)
    print(line)

    def row(name: str, cells: list[str]) -> None:
        print(f"{name:<{width}}" + "".join(f"{c:>24}" for c in cells))

    for i in range(max(len(r.orders) for r in results.values())):
        cells = []
        for r in results.values():
            items = list(r.orders.items())
            if i < len(items):
                name, count = items[i]
                held = ",".join(map(str, r.shards_of[name]))
                cells.append(f"{name} [{held}] {count / r.run.seconds:,.0f}")
            else:
                cells.append("")
        row("orders/s, replica [shards]" if i == 0 else "", cells)
    row("orders/s, total", [f"{r.total_orders / r.run.seconds:,.0f}" for r in results.values()])
    row("errors", [str(r.run.errors) for r in results.values()])
    row(
        "latency p50 / p99 ms",
        [
            f"{percentile(r.run.latencies_ms, 50):.1f} / {percentile(r.run.latencies_ms, 99):.1f}"
            for r in results.values()
        ],
    )
    print("CPU µs an order: in the loop + after it, until idle (the consumers' catch-up)")
    names: list[str] = []
    for r in results.values():
        names += [n for n in rows(r) if n not in names]
    for name in sorted(names, key=lambda n: (not is_replica(n), names.index(n))):
        cells = []
        for r in results.values():
            if name not in r.loop:
                cells.append("")
                continue
            # A replica's figure is over the orders it placed; any other over them all.
            orders = r.orders.get(name, r.total_orders) or 1
            loop, after = r.loop[name] / orders * 1e6, r.after.get(name, 0.0) / orders * 1e6
            cells.append(f"{loop:,.0f} + {after:,.0f}")
        shown = {"postgres": "postgres (all)", "redis-server": "redis-server (all)"}.get(name, name)
        row(f"  {shown}", cells)
    totals = []
    for r in results.values():
        loop, after = sum(r.loop.values()), sum(r.after.values())
        totals.append(f"{loop / r.total_orders * 1e6:,.0f} + {after / r.total_orders * 1e6:,.0f}")
    row("  total (every order)", totals)
    row("after the loop, s", [f"{r.settle_seconds:.1f}" for r in results.values()])
    row(
        f"cores busy of {os.cpu_count()}: listed",
        [f"{r.loop_cores:.2f}" for r in results.values()],
    )
    row("  machine-wide (/proc/stat)", [f"{r.machine_cores:.2f}" for r in results.values()])
    row("  of it others", [f"{r.machine_cores - r.loop_cores:.2f}" for r in results.values()])
    row("  up's processes at rest", [f"{r.idle_cores:.2f}" for r in results.values()])
    for label, r in results.items():
        if r.replicas > 1:
            by: dict[str, list[str]] = {}
            for group, holder in r.consumers.items():
                by.setdefault(holder, []).append(group)
            print(
                f"{label}: trading's consumer groups run on "
                + "; ".join(f"{h}: {', '.join(g)}" for h, g in sorted(by.items()))
            )
        for note in r.notes:
            print(f"note  {label}: {note}")
    conclude(results)


def per_core(result: Result) -> dict[str, tuple[float, float]]:
    """Each replica's orders/s on a core of its own: (its own CPU alone, with its share of
    the rest of the platform: the other services, relay, gateway, PostgreSQL, Redis; not
    this client, which is the load)."""
    total = result.total_orders or 1
    rest = sum(result.cpu(n) for n in result.loop if not is_replica(n) and n != CLIENT) / total
    found = {}
    for name, orders in result.orders.items():
        own = result.cpu(name) / (orders or 1)
        found[name] = (1 / own if own else 0.0, 1 / (own + rest))
    return found


def conclude(results: dict[str, Result]) -> None:
    """B's orders/s over A's, each replica's estimate on a core of its own, and what bounds
    the run on this machine."""
    if not {"A", "B"} <= results.keys():
        return
    a, b = results["A"], results["B"]
    rate = {label: r.total_orders / r.run.seconds for label, r in results.items()}
    # Orders/s per core the listed processes had: other work on the machine, which may
    # differ between the two layouts (they run one after the other), is taken out.
    per_listed = {label: rate[label] / (r.loop_cores or 1) for label, r in results.items()}
    cores = os.cpu_count() or 1
    say(
        f"\nconclusion  total orders/s B/A = {rate['B'] / rate['A']:.2f} "
        f"({rate['B']:,.0f} / {rate['A']:,.0f}); a core of the listed processes' "
        f"{per_listed['B'] / per_listed['A']:.2f} ({per_listed['B']:,.0f} / "
        f"{per_listed['A']:,.0f} orders/s a core)."
    )
    others = {label: r.machine_cores - r.loop_cores for label, r in results.items()}
    if abs(others["A"] - others["B"]) > 0.1:
        say(
            f"  Other work on the machine took {others['A']:.2f} cores in A's loop and "
            f"{others['B']:.2f} in B's: the first ratio measures that as much as the "
            "replicas; the second, and the CPU an order, do not depend on it."
        )
    say(
        "  on a core of its own (1 / (the replica's CPU an order + its share of the rest: "
        "other services, relay, gateway, PostgreSQL, Redis)), each replica would place:"
    )
    for label, r in results.items():
        for name, (alone, shared) in per_core(r).items():
            print(
                f"    {label} {name}: {shared:,.0f} orders/s "
                f"({alone:,.0f}/s if the rest ran on other cores)"
            )
    for label, r in results.items():
        platform = sum(r.cpu(n) for n in r.loop if n != CLIENT) / (r.total_orders or 1)
        say(
            f"  {label}: every order costs {platform * 1e6:,.0f} µs of CPU across the platform's "
            f"processes (trading's replicas {replica_share(r):.0%} of it), so {cores} cores "
            f"place at most {cores / platform:,.0f} orders/s with nothing else on them"
        )
    busiest = max(r.machine_cores for r in results.values())
    if busiest >= 0.9 * cores:
        say(
            f"  limit on this machine: CPU. Its {cores} cores were {busiest / cores:.0%} busy "
            f"in the loops (the listed processes {a.loop_cores:.2f} / {b.loop_cores:.2f} "
            "cores in A / B, the rest other work on the machine): a second replica splits "
            "the same cores, so it adds throughput only as far as it costs less CPU an order. "
            "Replicas scale where each of them, PostgreSQL and the other services have cores "
            "of their own."
        )
    else:
        say(
            f"  limit on this machine: not CPU alone (at most {busiest / cores:.0%} of its "
            f"{cores} cores busy): waiting on commits (the WAL flush) and on the hops between "
            "processes."
        )


def say(paragraph: str) -> None:
    """A long line wrapped at 100 columns, its continuation indented."""
    body = paragraph.lstrip("\n")
    indent = " " * (len(body) - len(body.lstrip(" ")) + 2)
    print(textwrap.fill(paragraph, 100, subsequent_indent=indent, replace_whitespace=False))


def replica_share(result: Result) -> float:
    platform = sum(result.cpu(n) for n in result.loop if n != CLIENT)
    return sum(result.cpu(n) for n in result.loop if is_replica(n)) / (platform or 1)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--traders", type=int, default=16)
    parser.add_argument("--layouts", default="AB", help="A (1 replica), B (2) or AB (default)")
    parser.add_argument("--strict", action="store_true", help="no target: always exits 0")
    return parser.parse_args()


if __name__ == "__main__":
    main(bench, parse_args(), "astratrade-replicas-bench-")
