"""``auditor rules list`` and ``auditor rules show``: what a QA lead reads before editing a rule."""

from __future__ import annotations

from auditor.checklist import default_checklist_path, load_compiled


def test_list_prints_every_item_with_description_and_example_counts(cli):
    code, out, _ = cli("rules", "list")
    assert code == 0
    compiled, _ = load_compiled(default_checklist_path())
    for item in compiled.spec.items:
        ex = item.examples
        assert f"{item.id}  [{item.detector.kind}, weight {item.weight:g}" in out
        assert f"examples {len(ex.pass_)} pass / {len(ex.fail)} fail / {len(ex.na)} na" in out
        assert item.title in out and item.description in out


def test_show_prints_settings_parameters_and_examples(cli):
    code, out, _ = cli("rules", "show", "paraphrase_confirmation")
    assert code == 0
    compiled, _ = load_compiled(default_checklist_path())
    item = next(i for i in compiled.spec.items if i.id == "paraphrase_confirmation")
    assert out.startswith(f"paraphrase_confirmation: {item.title}")
    assert "applies when: customer_request" in out
    assert "detector: paraphrase" in out and "    min_shared: " in out and "对吗" in out
    for status, name, dialogue in item.examples.cases():
        assert f"[{status}]" + (f" {name}" if name else "") in out
        assert dialogue.splitlines()[0] in out


def test_show_with_other_checklist_and_unknown_item(cli, tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("id: c\nname: C\nversion: 1\nitems:\n  - id: only\n    title: 唯一\n    critical: true\n"
                    "    detector: {kind: regex, patterns: ['订单号\\d+']}\n", encoding="utf-8")
    code, out, _ = cli("rules", "show", "only", "--checklist", path)
    assert code == 0 and "only: 唯一" in out and "critical" in out and "patterns: 订单号\\d+" in out and "examples: 0 pass / 0 fail / 0 na" in out
    code, _, err = cli("rules", "show", "greeting", "-c", path)
    assert code == 2 and "no item 'greeting'" in err and "items: only" in err
    code, out, _ = cli("rules", "list", "-c", path)
    assert code == 0 and "only  [regex, weight 1, critical" in out
