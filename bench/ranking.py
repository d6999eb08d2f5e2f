"""Ranking servers from bench/run.sh's cells, and the HTTPS and page-load sections.

The machine is a shared 2-core VM whose speed drifts over minutes: the same binary's CPU
per request moves by 10-20% between cells a few minutes apart, and neighbouring cells
move together. So servers are compared only within a block (one scenario, one round: all
its servers back to back in a shuffled order, under a minute), and a run's rounds are
independent repetitions of those comparisons:

- a cell's value is the median over rounds of its CPU µs per request (and of its req/s);
- a cell's spread is the 95% confidence half-width of its position within the blocks
  (its log CPU per request minus the block's mean, averaged over the rounds: Student's t
  over the rounds), the run-to-run movement to expect of its place among the others;
- a pair (A, B) is compared round by round, d = log(CPU_A / CPU_B) within each block: its
  gap is the mean of d, its spread the 95% half-width of that mean. When the gap is larger
  than the spread the pair is ordered, else it is a tie.
"""
import math
import statistics
from collections import defaultdict

# Student's t, two-sided 95%, by degrees of freedom.
T95 = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306,
       9: 2.262, 10: 2.228, 11: 2.201, 12: 2.179, 13: 2.160, 14: 2.145, 15: 2.131,
       16: 2.120, 17: 2.110, 18: 2.101, 19: 2.093, 20: 2.086}


def t95(df):
    return T95.get(df, 2.0) if df > 0 else float("inf")


def read_cells(path):
    """Rows of a results.tsv in the fresh-server format (13 columns) as dicts."""
    rows = []
    for line in open(path):
        f = line.rstrip("\n").split("\t")
        if len(f) < 8:
            continue
        rows.append({
            "scenario": f[0], "server": f[1], "rps": float(f[2]), "requests": int(f[3]),
            "cpu_us": int(f[4]) / 1000 / int(f[3]), "round": int(f[5]),
            "wall_s": int(f[7]) / 1e9,
            "core0_busy": int(f[8]) if len(f) > 8 else None,
            "core1_busy": int(f[10]) if len(f) > 10 else None,
            "steal": (int(f[9]) + int(f[11])) if len(f) > 11 else None,
            "sleeps": int(f[12]) if len(f) > 12 else None,
        })
    return rows


class Block:
    """The cells of one scenario (or protocol and scenario), by server and round."""

    def __init__(self, rows):
        self.cpu = defaultdict(dict)
        self.rps = defaultdict(dict)
        for row in rows:
            self.cpu[row["server"]][row["round"]] = row["cpu_us"]
            self.rps[row["server"]][row["round"]] = row["rps"]
        servers = list(self.cpu)
        # Rounds in which every server of the block has its cell.
        self.rounds = sorted(set.intersection(*(set(self.cpu[s]) for s in servers))) if servers else []
        self.servers = sorted(servers, key=self.geomean)

    def geomean(self, server):
        values = [self.cpu[server][r] for r in self.rounds] or list(self.cpu[server].values())
        return math.exp(statistics.mean(math.log(v) for v in values))

    def median_cpu(self, server):
        return statistics.median(self.cpu[server].values())

    def median_rps(self, server):
        return statistics.median(self.rps[server].values())

    def cpu_range(self, server):
        return min(self.cpu[server].values()), max(self.cpu[server].values())

    def rps_range(self, server):
        return min(self.rps[server].values()), max(self.rps[server].values())

    def position(self, server):
        """Log CPU minus the block's mean log CPU, per round."""
        out = []
        for r in self.rounds:
            mean = statistics.mean(math.log(self.cpu[s][r]) for s in self.servers)
            out.append(math.log(self.cpu[server][r]) - mean)
        return out

    def spread(self, server):
        """The 95% half-width of the cell's mean position, as a fraction."""
        values = self.position(server)
        if len(values) < 2:
            return None
        return math.exp(t95(len(values) - 1) * statistics.stdev(values) / math.sqrt(len(values))) - 1

    def compare(self, a, b):
        """(CPU ratio a/b, its 95% half-width as a fraction, order): order '<' when a costs
        less than b beyond the spread, '>' the reverse, '=' a tie."""
        d = [math.log(self.cpu[a][r] / self.cpu[b][r]) for r in self.rounds]
        if len(d) < 2:
            return None, None, "="
        mean = statistics.mean(d)
        half = t95(len(d) - 1) * statistics.stdev(d) / math.sqrt(len(d))
        order = "=" if abs(mean) <= half else ("<" if mean < 0 else ">")
        return math.exp(mean), math.exp(half) - 1, order


def blocks(rows, key=lambda row: row["scenario"]):
    grouped = defaultdict(list)
    for row in rows:
        grouped[key(row)].append(row)
    return {name: Block(group) for name, group in grouped.items()}


def fmt_pct(value):
    return "–" if value is None else f"±{100 * value:.1f}%"


def tie_groups(block):
    """For each server, the servers it ties with."""
    ties = {}
    for a in block.servers:
        ties[a] = [b for b in block.servers if b != a and block.compare(a, b)[2] == "="]
    return ties


def conditions(rows):
    """What else the machine did during a run's cells, and how much of a cell's movement
    from round to round the blocks take out: (median and max share of core 0 busy with
    other work than the server, steal ticks, mean sd of a cell's log CPU per request across
    rounds raw, the same within blocks)."""
    foreign = [max(0.0, (row["core0_busy"] * 1e-2 - row["cpu_us"] * row["requests"] * 1e-6) / row["wall_s"])
               for row in rows if row["core0_busy"] is not None]
    steal = sum(row["steal"] or 0 for row in rows)
    raw, within = [], []
    for block in blocks(rows).values():
        if len(block.rounds) < 2:
            continue
        for server in block.servers:
            raw.append(statistics.stdev(math.log(block.cpu[server][r]) for r in block.rounds))
            within.append(statistics.stdev(block.position(server)))
    mean = lambda values: statistics.mean(values) if values else float("nan")
    return (statistics.median(foreign) if foreign else None, max(foreign) if foreign else None,
            steal, mean(raw), mean(within))


def ranking_section(p, runs, scenarios, labels, short):
    """The side-by-side ranking of two (or more) runs: `runs` is [(name, rows, meta)]."""
    per_run = [(name, blocks(rows), meta) for name, rows, meta in runs]
    names = [name for name, _, _ in per_run]
    for name, rows, _ in runs:
        median_foreign, max_foreign, steal, raw, within = conditions(rows)
        if median_foreign is None:
            continue
        p(f"- Run {name}: core 0 busy with other work than the server during a cell: median "
          f"{100 * median_foreign:.1f}%, at most {100 * max_foreign:.1f}%; {steal} ticks stolen "
          f"by the host. A cell's CPU per request moved from round to round by {100 * raw:.1f}% "
          f"(standard deviation of its log), and by {100 * within:.1f}% relative to its block: "
          "the blocks take out the machine's drift.")
    p("")
    for scenario, title in scenarios.items():
        present = [(name, b[scenario], meta) for name, b, meta in per_run if scenario in b]
        if len(present) == 0:
            continue
        servers = present[0][1].servers
        p(f"### {title}\n")
        head = "| server |"
        rule = "|---|"
        for name, block, meta in present:
            head += f" run {name}: CPU µs/req | spread | req/s (median, min–max) | server busy |"
            rule += "---|---|---|---|"
        if len(present) == 2:
            head += " moved between runs (place in block) |"
            rule += "---|"
        p(head)
        p(rule)
        for server in servers:
            line = f"| {labels.get(server, server)} |"
            for name, block, meta in present:
                if server not in block.cpu:
                    line += " – | – | – | – |"
                    continue
                lo, hi = block.rps_range(server)
                busy = statistics.median(block.cpu[server][r] * block.rps[server][r] / 1e6 for r in block.cpu[server])
                line += (f" {block.median_cpu(server):.2f} | {fmt_pct(block.spread(server))} | "
                         f"{block.median_rps(server):,.0f} ({lo / 1000:,.0f}k–{hi / 1000:,.0f}k) | {100 * busy:.0f}% |")
            if len(present) == 2:
                a, b = present[0][1], present[1][1]
                if server in a.cpu and server in b.cpu:
                    moved = math.exp(statistics.mean(b.position(server)) - statistics.mean(a.position(server))) - 1
                    line += f" {100 * moved:+.1f}% |"
                else:
                    line += " – |"
            p(line)
        p("")
        # Every pair, in each run: '<' the row's server costs less CPU per request than the
        # column's beyond the pair's spread, '>' more, '=' a tie.
        p("Pairs, CPU per request of the row's server against the column's, in each run "
          f"({' / '.join(names[:len(present)])}): `<` the row costs less, beyond the spread; "
          "`>` more; `=` a tie (the gap is within the spread). **Bold** where the runs "
          "contradict each other.\n")
        p("| | " + " | ".join(short.get(s, s) for s in servers) + " |")
        p("|---|" + "---|" * len(servers))
        tally = defaultdict(int)
        for a in servers:
            line = f"| {short.get(a, a)} |"
            for b in servers:
                if a == b:
                    line += " |"
                    continue
                marks = []
                for _, block, _ in present:
                    marks.append(block.compare(a, b)[2] if a in block.cpu and b in block.cpu else "?")
                text = "".join(marks)
                if len(marks) == 2 and {marks[0], marks[1]} == {"<", ">"}:
                    text = f"**{text}**"
                line += f" {text} |"
                if a < b and len(marks) == 2:
                    if marks[0] == marks[1] == "=":
                        tally["tie in both"] += 1
                    elif marks[0] == marks[1]:
                        tally["same order in both"] += 1
                    elif "=" in marks:
                        tally["ordered in one, tie in the other"] += 1
                    else:
                        tally["opposite orders"] += 1
            p(line)
        p("")
        if tally:
            p("Of the " + str(sum(tally.values())) + " pairs: " + ", ".join(
                f"{tally[k]} {k}" for k in ["same order in both", "tie in both",
                                             "ordered in one, tie in the other", "opposite orders"]) + ".\n")


def https_section(p, rows, conns, pageload, meta, labels):
    """S1/S2 over HTTPS against nginx, TLS connections per second, page loads."""
    if rows:
        by = blocks(rows, key=lambda row: (row["protocol"], row["scenario"]))
        p("| protocol | scenario | server | req/s (median, min–max) | CPU µs/req (median, min–max) | "
          "nginx CPU / ours (paired) | target ≥ 1.0x |")
        p("|---|---|---|---|---|---|---|")
        for protocol in ["h2", "h1"]:
            for scenario, title in [("S1", "S1 (200)"), ("S2", "S2 (304)")]:
                block = by.get((protocol, scenario))
                if not block:
                    continue
                for server in ["nginx-tls", "ours-site-tls"]:
                    if server not in block.cpu:
                        continue
                    lo, hi = block.rps_range(server)
                    clo, chi = block.cpu_range(server)
                    verdict = ratio_text = "–"
                    if server == "ours-site-tls" and "nginx-tls" in block.cpu:
                        r, half, order = block.compare("nginx-tls", server)
                        if r is not None:
                            ratio_text = f"{r:.2f}x ({fmt_pct(half)})"
                            verdict = ("met" if r >= 1.0 else
                                       ("missed, within the spread" if order == "=" else f"missed by {1 - r:.0%}"))
                    name = "HTTP/2" if protocol == "h2" else "HTTP/1.1"
                    p(f"| {name} | {title} | {labels.get(server, server)} | {block.median_rps(server):,.0f} "
                      f"({lo:,.0f}–{hi:,.0f}) | {block.median_cpu(server):.2f} ({clo:.2f}–{chi:.2f}) | "
                      f"{ratio_text} | {verdict} |")
        p("")
    if conns:
        p("New TLS connections (h2load: " + str(meta.get("tls_batches", "?")) + " batches of " +
          str(meta.get("tls_conns", "?")) + " clients, each one new connection with a full TLS 1.3 "
          "handshake and one S1 request over h2; the rate is h2load's, on one core of its own, "
          "and the server's CPU per connection includes the handshake, the request and the close):\n")
        p("| server | connections/s (median, min–max) | server CPU µs per connection (median) |")
        p("|---|---|---|")
        for server in ["nginx-tls", "ours-site-tls"]:
            mine = [c for c in conns if c["server"] == server]
            if not mine:
                continue
            rates = [c["conns"] / c["seconds"] for c in mine]
            cpu = [c["cpu_ns"] / 1000 / c["conns"] for c in mine]
            p(f"| {labels.get(server, server)} | {statistics.median(rates):,.0f} ({min(rates):,.0f}–"
              f"{max(rates):,.0f}) | {statistics.median(cpu):,.0f} |")
        p("")
    if pageload and pageload.get("cells"):
        p(f"The demo's import-map page (`/modules`: the page, its stylesheet, font and logo, the "
          f"stale-client script, and four ES modules through the import map) in Chromium "
          f"{pageload.get('chromium', '')} with DevTools latency emulation "
          f"(`Network.emulateNetworkConditions`, {pageload['latency_ms']} ms added to every "
          f"request), {pageload['runs']} loads of each, taking turns, each in a fresh browser "
          "context (empty cache, no open connection). The time is the navigation's load event: "
          "module scripts hold it until their whole graph is fetched and run (each load checked: "
          "the modules ran, every module came over the protocol named). `/modules` preloads the "
          "entry's graph with `modulepreload` links; `?preload=0` leaves the browser to find "
          "each module as it parses its importer.\n")
        p("| transport | page | load event, ms (median) | min–max | requests |")
        p("|---|---|---|---|---|")
        for cell in pageload["cells"]:
            loads = cell["loads_ms"]
            p(f"| {cell['label']} | `{cell['path']}` | {statistics.median(loads):.0f} | "
              f"{min(loads):.0f}–{max(loads):.0f} | {cell['requests']} |")
        p("")
