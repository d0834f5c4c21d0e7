"""Templates: for_each over data files, enabled, vars, env(), the project file, and the sandbox's walls."""

from __future__ import annotations

import json

from conftest import PIN_TOKEN, REPO

BOARD = f"""
boards:
  shop:
    identity: {PIN_TOKEN}
    name: Shop
"""
PINS = """
pins:
  "product-{{ each.sku }}":
    for_each: "{{ data('products.csv') }}"
    enabled: "{{ each.active == 'yes' }}"
    identity: TOKEN
    board: {ref: boards.shop}
    description: "{{ each.name }}: {{ each.price }} EUR"
    picture: "{{ each.image }}"
""".replace("TOKEN", PIN_TOKEN)
CSV = """sku,name,price,image,active
A-1,Scarf,15.00,https://cdn.example.com/a.jpg,yes
B-2,Mug,9.50,https://cdn.example.com/b.jpg,no
C-3,Cap,12.00,https://cdn.example.com/c.jpg,yes
"""


def test_for_each_over_csv_generates_one_resource_per_enabled_row(cli, write, tmp_path):
    write("board.yaml", BOARD)
    write("pins.yaml", PINS)
    (tmp_path / "catalog" / "products.csv").write_text(CSV)

    run = cli("plan", tmp_path / "catalog")

    assert run.code == 0, run.output
    assert "+ pins.product-A-1" in run.out and "+ pins.product-C-3" in run.out
    assert "product-B-2" not in run.out  # enabled: false
    assert '"Scarf: 15.00 EUR"' in run.out
    assert "Plan: 3 to create" in run.out


def test_error_in_a_generated_entry_names_the_item_and_the_template_line(cli, write, tmp_path):
    write("board.yaml", BOARD)
    write("pins.yaml", PINS)
    (tmp_path / "catalog" / "products.csv").write_text(CSV.replace("https://cdn.example.com/c.jpg", "cdn/c.jpg"))

    run = cli("validate", tmp_path / "catalog")

    assert run.code == 1
    assert (
        "catalog/pins.yaml:8:5: pins.product-C-3.picture: item 3 of products.csv (sku=C-3): "
        "'cdn/c.jpg' must be a fully qualified http(s) URL (no user@, backslash or control character)"
    ) in run.err.splitlines()


def test_generated_duplicates_name_both_places(cli, write, tmp_path):
    write("board.yaml", BOARD)
    write("pins.yaml", PINS)
    (tmp_path / "catalog" / "products.csv").write_text(CSV.replace("C-3", "A-1"))
    run = cli("validate", tmp_path / "catalog")
    assert run.code == 1
    assert (
        "pins.product-A-1: item 3 of products.csv (sku=A-1): duplicate address pins.product-A-1 "
        "(first defined at catalog/pins.yaml:2:3)" in run.err
    )


def test_for_each_over_a_mapping_and_typed_values(cli, write, tmp_path):
    write("vars.yaml", "flags:\n  create: false\n")
    write(
        "pics.yaml",
        f"""
        posts:
          "pic-{{{{ each.key }}}}":
            for_each:
              home: https://cdn.example.com/home.jpg
              away: https://cdn.example.com/away.jpg
            type: facebook/picture
            identity: {PIN_TOKEN}
            url: "{{{{ each.value }}}}"
            create_post: "{{{{ vars.flags.create }}}}"
        """,
    )
    (tmp_path / "catalog" / "vars.yaml").rename(tmp_path / "vars.yaml")
    run = cli("plan", tmp_path / "catalog", "--var-file", tmp_path / "vars.yaml")
    assert run.code == 0, run.output
    assert "+ posts.pic-home" in run.out and "+ posts.pic-away" in run.out
    assert "create_post = false" in run.out  # a boolean, not the string "False"


def test_data_files_cannot_leave_the_catalog_root(cli, write, tmp_path):
    write("board.yaml", BOARD.replace("name: Shop", "name: \"{{ data('../../etc/passwd') }}\""))
    run = cli("validate", tmp_path / "catalog")
    assert run.code == 1
    assert "data('../../etc/passwd') is outside the catalog root" in run.err
    assert "root:" not in run.err


def test_templates_cannot_reach_python_internals(cli, write, tmp_path):
    for i, attempt in enumerate(
        ["{{ ''.__class__.__mro__ }}", "{{ vars.__class__ }}", "{{ env.__globals__ }}", "{{ cycler.__init__.__globals__ }}"]
    ):
        write(f"b{i}.yaml", BOARD.replace("shop:", f"shop{i}:").replace("name: Shop", f'name: "{attempt}"'))
    run = cli("validate", tmp_path / "catalog")
    assert run.code == 1
    assert run.err.count("template error") == 4, run.err


def test_env_with_and_without_default(cli, write, tmp_path, monkeypatch):
    monkeypatch.setenv("CLUB_TOKEN", PIN_TOKEN)
    write("publisher.yaml", "env: [BOARD_NAME]\n")
    write(
        "c.yaml",
        """
        identities:
          club: "{{ env('CLUB_TOKEN') }}"
        boards:
          b:
            identity: club
            name: "{{ env('BOARD_NAME', 'Fallback') }}"
        """,
    )
    run = cli("plan", tmp_path / "catalog")
    assert run.code == 0, run.output
    assert '"Fallback"' in run.out
    monkeypatch.delenv("CLUB_TOKEN")
    run = cli("plan", tmp_path / "catalog")
    assert run.code == 1
    assert "catalog/c.yaml:2:3: identities.club: template error: environment variable CLUB_TOKEN is not set" in run.err


def test_project_file_vars_identities_and_state(sandbox, cli, write, tmp_path):
    write(
        "publisher.yaml",
        f"""
        vars:
          name: From project
          description: Project description
        identities:
          club: {PIN_TOKEN}
        state: state/catalog.json
        """,
    )
    write("b.yaml", 'boards:\n  b:\n    identity: club\n    name: "{{ vars.name }}"\n    description: "{{ vars.description }}"\n')
    (tmp_path / "more.yaml").write_text("name: From var file\n")

    run = cli(
        "apply", tmp_path / "catalog", "--auto-approve", "--var-file", tmp_path / "more.yaml", "--var", "description=From --var"
    )

    assert run.code == 0, run.output
    state = json.loads((tmp_path / "catalog" / "state" / "catalog.json").read_text())
    assert state["resources"]["boards.b"]["inputs"] == {"name": "From var file", "description": "From --var"}


def test_invalid_project_file_is_reported_with_its_line(cli, write, tmp_path):
    write("publisher.yaml", "vars: {}\nconcurrency: many\n")
    write("b.yaml", BOARD)
    run = cli("validate", tmp_path / "catalog")
    assert run.code == 1
    assert "catalog/publisher.yaml:2:1: concurrency: must be a whole number, not a string" in run.err


def test_json_and_yaml_data_files(cli, write, tmp_path):
    (tmp_path / "catalog").mkdir()
    (tmp_path / "catalog" / "boards.json").write_text(json.dumps([{"slug": "a", "title": "A"}]))
    (tmp_path / "catalog" / "more.yml").write_text("- {slug: b, title: 'no'}\n")
    write(
        "c.yaml",
        f"""
        boards:
          "{{{{ each.slug }}}}":
            for_each: "{{{{ data('boards.json') + data('more.yml') }}}}"
            identity: {PIN_TOKEN}
            name: "{{{{ each.title }}}}"
        """,
    )
    run = cli("plan", tmp_path / "catalog")
    assert run.code == 0, run.output
    assert "+ boards.a" in run.out and 'name        = "no"' not in run.out and '"no"' in run.out


def test_a_templated_name_needs_for_each(cli, write, tmp_path):
    write("c.yaml", BOARD.replace("shop:", '"shop-{{ vars.x }}":'))
    run = cli("validate", tmp_path / "catalog")
    assert run.code == 1
    assert "only an entry with for_each can have a templated name" in run.err


def test_github_annotations(cli, write, tmp_path, monkeypatch):
    write("c.yaml", BOARD.replace("name: Shop", "privacy: open"))
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    run = cli("validate", tmp_path / "catalog")
    assert run.code == 1
    # Both on stderr: a plan's stdout is often redirected into the PR comment's file.
    assert "::error file=catalog/c.yaml,line=2,col=3,title=publisher::boards.shop: missing required field 'name'" in run.err
    assert "catalog/c.yaml:2:3: boards.shop: missing required field 'name'" in run.err
    assert "::error" not in run.out


def test_examples_start_with_a_schema_modeline():
    root = REPO / "examples"
    for path in root.rglob("*.yaml"):
        first = path.read_text().splitlines()[0]
        assert first.startswith("# yaml-language-server: $schema="), path
        target = (path.parent / first.split("$schema=")[1]).resolve()
        assert target.is_file(), path


def test_values_are_rendered_exactly_as_jinja_renders_them():
    """publisher fills plain names in without Jinja (it is 4.5x faster): the result must be
    Jinja's, type included, wherever it does."""
    import re

    import jinja2
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    from publisher.loading.templating import render_string

    rows = [{"sku": "A-1"}]
    names = {
        "vars": {"a": "x", "n": 3, "f": 1.5, "t": True, "none": None, "items": "shadow", "rows": [1, 2]},
        "each": {"sku": "A-1"},
        "data": lambda name: rows,
    }
    jinja = ImmutableSandboxedEnvironment(undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    cases = [
        "{{ vars.a }}", "{{vars.n}}", " {{ vars.n }} ", "{{ vars.f }}", "{{ vars.t }}",
        "pre {{ vars.n }} and {{ each.sku }} post", "{{ vars.rows }}", "x {{ vars.rows }}", "{{ vars.none }}",
        "a {{ vars.none }}", "a {{ vars.items }}", "{{ vars.a | upper }}", "{{ each.sku }}{{ each.sku }}",
        "{{ data('rows.csv') }}", " {{ data( \"rows.csv\" ) }}", "{{ each.sku }}\n",
    ]  # fmt: skip
    for source in cases:
        whole = re.fullmatch(r"\s*\{\{(.*)\}\}\s*", source, re.DOTALL)
        if whole and "}}" not in whole.group(1):  # one whole expression keeps its type
            expected = jinja.compile_expression(whole.group(1), undefined_to_none=False)(**names)
        else:
            expected = jinja.from_string(source).render(**names)
        rendered = render_string(source, names)
        assert rendered == expected and type(rendered) is type(expected), source


def test_the_shop_example_generates_500_pins_and_queues_them(sandbox, cli, tmp_path, monkeypatch):
    import shutil

    shop = tmp_path / "shop"
    shutil.copytree(REPO / "examples" / "shop", shop)
    plan = cli("plan", shop)
    assert "Plan: 1 to create" in plan.out and "500 scheduled" in plan.out  # the board now, the pins in their slots
    run = cli("apply", shop, "--auto-approve")
    assert run.code == 0, run.output[-2000:]
    assert [o["object"] for o in sandbox.objects()] == ["board"]
    monkeypatch.setenv("PUBLISHER_NOW", "2031-01-01T00:00:00Z")  # every slot has passed: late, never skipped
    run = cli("apply", shop, "--auto-approve")
    assert run.code == 0, run.output[-2000:]
    assert sum(1 for o in sandbox.objects() if o["object"] == "pin") == 500
    assert cli("plan", shop, "--detailed-exitcode").code == 0
