"""Generate a benchmark catalog of N resources in about 100 files (half of them for_each over CSV)."""

from __future__ import annotations

import csv
import sys
from pathlib import Path

TOKEN = "2af20011-8965-471b-8f6b-8b66a611aae6"
TWEET_TOKEN = "7c9e6679-7425-40de-944b-e07fc1f90ae7"
FILES = 100


def generate(root: Path, total: int) -> None:
    root.mkdir(parents=True, exist_ok=True)
    per_file = max(1, total // FILES)
    (root / "publisher.yaml").write_text(
        f"identities:\n  shop: {TOKEN}\n  club-twitter: {TWEET_TOKEN}\nvars:\n  shop_url: https://shop.example.com\n"
    )
    boards = ["boards:"] + [
        f"  board-{b}:\n    identity: shop\n    name: Board {b}\n    description: Products of line {b}\n    privacy: PUBLIC"
        for b in range(10)
    ]
    (root / "boards.yaml").write_text("\n".join(boards) + "\n")
    made = 10
    for f in range(FILES):
        count = min(per_file, total - made)
        if count <= 0:
            break
        if f % 2 == 0:
            rows = [{"sku": f"F{f:03d}-{i:05d}", "name": f"Product {f}-{i}", "price": f"{i % 90 + 9}.95"} for i in range(count)]
            with open(root / f"products-{f:03d}.csv", "w", newline="") as stream:
                writer = csv.DictWriter(stream, fieldnames=list(rows[0]))
                writer.writeheader()
                writer.writerows(rows)
            (root / f"generated-{f:03d}.yaml").write_text(
                "pins:\n"
                '  "p-{{ each.sku }}":\n'
                f"    for_each: \"{{{{ data('products-{f:03d}.csv') }}}}\"\n"
                "    identity: shop\n"
                f"    board: {{ref: boards.board-{f % 10}}}\n"
                '    description: "{{ each.name }}: {{ each.price }} EUR"\n'
                '    link: "{{ vars.shop_url }}/p/{{ each.sku }}"\n'
                '    picture: "https://cdn.example.com/{{ each.sku }}.jpg"\n'
            )
        else:
            entries = ["posts:"]
            for i in range(count):
                if i % 2:
                    entries.append(
                        f"  tweet-{f:03d}-{i:05d}:\n    type: twitter/post\n    identity: club-twitter\n"
                        f'    message: "Match day {i} of file {f}: tickets at {{{{ vars.shop_url }}}}/t/{i}"'
                    )
                else:
                    entries.append(
                        f"  page-{f:03d}-{i:05d}:\n    type: facebook/page/post\n    identity: shop\n"
                        f'    page_id: "104512345678901"\n    message: Post {i} of file {f}\n'
                        f"    link: https://club.example.com/news/{f}/{i}"
                    )
            (root / f"posts-{f:03d}.yaml").write_text("\n".join(entries) + "\n")
        made += count


if __name__ == "__main__":
    generate(Path(sys.argv[1]), int(sys.argv[2]))
