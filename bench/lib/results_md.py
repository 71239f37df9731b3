"""bench/RESULTS.md holds one section per benchmark, each between
`<!-- bench:NAME -->` and `<!-- /bench:NAME -->`; a benchmark replaces only its own."""
import os
import re

PATH = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "RESULTS.md")
ORDER = ["broker", "broker-curves", "gateway", "hydration", "gpu-pool", "llm", "mode-switch"]


def replace_section(name: str, text: str) -> None:
    current = open(PATH).read() if os.path.exists(PATH) else ""
    sections = dict(re.findall(r"<!-- bench:([\w-]+) -->\n(.*?)<!-- /bench:\1 -->\n?", current, re.S))
    sections[name] = text.rstrip("\n") + "\n"
    names = [n for n in ORDER if n in sections] + sorted(n for n in sections if n not in ORDER)
    with open(PATH, "w") as f:
        f.write("\n".join(f"<!-- bench:{n} -->\n{sections[n]}<!-- /bench:{n} -->\n" for n in names))
