"""Change budgets: a broken feed cannot wipe a catalog. Against the sandbox: the plan says why
it is refused, apply sends nothing, and an allowance for one run lets it through."""

from __future__ import annotations

import json

import pytest

from conftest import PIN_TOKEN, TWEET_TOKEN

PINS = f"""
boards:
  shop:
    identity: {PIN_TOKEN}
    name: Shop
pins:
  "product-{{{{ each.sku }}}}":
    for_each: "{{{{ data('products.csv') }}}}"
    identity: {PIN_TOKEN}
    board: {{ref: boards.shop}}
    description: "{{{{ each.name }}}}"
    picture: https://cdn.example.com/p.jpg
"""


def _shop(write, rows: int):
    write("products.csv", "sku,name\n" + "".join(f"S{i},Product {i}\n" for i in range(rows)))
    return write("pins.yaml", PINS).parent


def _deletes(sandbox) -> int:
    return sum(1 for request in sandbox.requests() if request["method"] == "DELETE")


def test_an_export_cut_to_its_header_deletes_nothing_until_allowed(sandbox, cli, write, tmp_path):
    catalog = _shop(write, 31)
    assert cli("apply", catalog, "--auto-approve").code == 0
    (catalog / "products.csv").write_text("sku,name\n")  # a failed nightly export
    sandbox.clear()
    for command in (["plan"], ["apply", "--auto-approve"], ["plan", "--format", "markdown"]):
        run = cli(command[0], catalog, *command[1:])
        assert run.code == 1, run.output
        assert "over budget: 31 deletes or forgets" in run.err and "31 from products.csv" in run.err
        assert "--allow-deletes 31" in run.err
    assert _deletes(sandbox) == 0 and sandbox.requests() == []
    markdown = cli("plan", catalog, "--format", "markdown").out
    assert markdown.splitlines()[3].startswith("⛔ **over budget: 31 deletes")  # first, before the summary
    page = cli("plan", catalog, "--format", "html").out
    assert page.index('<p class="blocked-banner">over budget: 31 deletes') < page.index('<p class="summary">')
    short = cli("apply", catalog, "--auto-approve", "--allow-deletes", "30")
    assert short.code == 1 and "--allow-deletes 30 is fewer" in short.err and _deletes(sandbox) == 0
    allowed = cli("apply", catalog, "--auto-approve", "--allow-deletes", "31")
    assert allowed.code == 0, allowed.output
    assert _deletes(sandbox) == 31


def test_a_small_catalog_deletes_freely(sandbox, cli, write, tmp_path):
    tweets = "".join(f"  t{i}:\n    type: twitter/post\n    identity: {TWEET_TOKEN}\n    message: Tweet {i}\n" for i in range(4))
    catalog = write("posts.yaml", "posts:\n" + tweets).parent
    assert cli("apply", catalog, "--auto-approve").code == 0
    write("posts.yaml", "posts:\n" + tweets.split("  t1:")[0])  # 3 of 4 removed: most, but not more than 10
    assert cli("apply", catalog, "--auto-approve").code == 0
    assert _deletes(sandbox) == 3


@pytest.mark.parametrize(
    "budget, allowed_rows, refused_rows",
    [
        ("max_deletes: 5", 5, 6),  # a count: 5 deletes pass, 6 do not
        ("max_deletes: '10%'", 3, 4),  # 10% of 31 objects (30 pins and the board) is 3
        ("max_changes: 2", 2, 3),
    ],
)
def test_a_configured_budget_is_kept_at_its_boundary(budget, allowed_rows, refused_rows, sandbox, cli, write, tmp_path):
    write("publisher.yaml", f"budgets:\n  {budget}\n")
    catalog = _shop(write, 30)
    assert cli("apply", catalog, "--auto-approve", "--allow-changes", "31").code == 0
    write("products.csv", "sku,name\n" + "".join(f"S{i},Product {i}\n" for i in range(refused_rows, 30)))
    refused = cli("plan", catalog)
    assert refused.code == 1 and f"over budget: {refused_rows} " in refused.err, refused.output
    write("products.csv", "sku,name\n" + "".join(f"S{i},Product {i}\n" for i in range(allowed_rows, 30)))
    assert cli("plan", catalog).code == 0
    assert cli("apply", catalog, "--auto-approve").code == 0
    assert _deletes(sandbox) == allowed_rows


def test_a_saved_plan_carries_the_allowance_it_was_made_with(sandbox, cli, write, tmp_path):
    catalog = _shop(write, 12)
    assert cli("apply", catalog, "--auto-approve").code == 0
    (catalog / "products.csv").write_text("sku,name\n")
    out = tmp_path / "plan.json"
    assert cli("plan", catalog, "--out", out).code == 1 and not out.exists()
    assert cli("plan", catalog, "--out", out, "--allow-deletes", "12").code == 0
    assert json.loads(out.read_text())["binding"]["allowances"]["deletes"] == 12
    mixed = cli("apply", out, "--auto-approve", "--allow-deletes", "99")
    assert mixed.code == 1 and "carries the --allow-*" in mixed.err
    assert cli("apply", out, "--auto-approve").code == 0
    assert _deletes(sandbox) == 12


@pytest.mark.parametrize(
    "budgets, message",
    [
        ("max_deletes: -1", "must be a whole number of at least 0, or a percentage"),
        ("max_deletes: '150%'", "must be a whole number of at least 0, or a percentage"),
        ("max_deletes: ten", "must be a whole number of at least 0, or a percentage"),
        ("max_removals: 3", "unknown field 'max_removals'"),
    ],
)
def test_a_bad_budget_is_one_message_at_its_line(budgets, message, cli, write, tmp_path):
    write("publisher.yaml", f"vars: {{}}\nbudgets:\n  {budgets}\n")
    catalog = _shop(write, 1)
    run = cli("validate", catalog)
    assert run.code == 1 and "publisher.yaml:3:" in run.err and message in run.err, run.err
