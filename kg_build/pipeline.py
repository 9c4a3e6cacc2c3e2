"""The build: curated tables -> checked dataset -> every export format, written atomically."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Dataset

from kg_build import catalogue, curation, export, factcheck, store, validation
from kg_build.builder import build_dataset
from kg_build.checks import undeclared_terms
from kg_build.errors import ValidationFailure
from kg_build.paths import DATA_DIR, ONTOLOGY_FILE, SHAPES_FILE

DEFAULT_OUT = Path("build")


@dataclass
class BuildResult:
    """What a build produced: the dataset and the files written (name -> sha256)."""

    dataset: Dataset
    out_dir: Path
    outputs: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def input_files(cur: curation.Curated) -> dict[str, Path]:
    """The inputs a build reads, keyed by a stable name (recorded with their sha256)."""
    files = {f"data/{p.name}": p for p in cur.files()}
    files["data/metadata.ttl"] = DATA_DIR / "metadata.ttl"
    files["ontology/ntrk.ttl"] = ONTOLOGY_FILE
    files["ontology/shapes.ttl"] = SHAPES_FILE
    files.update({f"queries/{p.name}": p for p in catalogue.query_files()})
    return files


def add_rule_findings(ds: Dataset) -> None:
    """Findings the validation rules derive (a value outside its band) go into the fact-check graph.

    Only the rules about the source (warning and info shapes) are run here; the whole graph, findings
    included, is validated by ``build`` before anything is written.
    """
    report = validation.validate(ds, use_shapes=validation.source_rules())
    factcheck.add_rule_findings(ds, factcheck.rule_results(report.results))


def assemble(data_dir: Path | None = None) -> tuple[curation.Curated, Dataset]:
    """Load and check the curated tables, build the dataset and check its vocabulary."""
    cur = curation.load(data_dir)
    ds = build_dataset(cur)
    add_rule_findings(ds)
    bad = undeclared_terms(ds)
    if bad:
        raise ValidationFailure("the graph uses terms the ontology does not declare: " + ", ".join(bad))
    bnodes = export.blank_nodes(ds)
    if bnodes:
        raise ValidationFailure(f"the graph holds {len(bnodes)} triples with blank nodes; it must hold none")
    return cur, ds


def build(
    out_dir: Path = DEFAULT_OUT,
    formats: tuple[str, ...] = tuple(export.FORMATS),
    data_dir: Path | None = None,
    reason: bool = True,
    reasoner: str = "auto",
    with_store: bool = True,
) -> BuildResult:
    """Build the graph and write the chosen formats, the JSON-LD context and the manifest to ``out_dir``.

    With ``reason``, a reasoner (``reasoner``: ``auto``, ``hermit`` or ``owlrl``, see
    ``kg_build.reasoning``) checks consistency and adds the inferred-types graph; an inconsistent
    graph stops the build. The graph is then validated against the SHACL shapes: a violation stops
    the build; warnings (doubts about the source) are returned and kept in the manifest.
    With ``with_store``, also write the embedded Oxigraph store to ``out_dir/store/``.
    Nothing is written unless the whole build succeeds; a failed build leaves ``out_dir`` as it was.
    """
    cur, ds = assemble(data_dir)
    warnings: list[str] = []
    extra: dict[str, object] = {}
    if reason:
        from kg_build import reasoning

        inferred = reasoning.reason(ds, reasoner)
        reasoning.add_inferred_graph(ds, inferred)
        warnings.extend(inferred.notes)
        extra["reasoner"] = inferred.engine
    report = check_shapes(ds)
    warnings.extend(r.line() for r in report.warnings)
    extra["validation"] = validation_summary(report)
    outputs: list[export.Output] = []
    # N-Quads is always written: the store, stats, validate, report and release read it.
    formats = tuple(dict.fromkeys(("nquads", *formats)))
    for fmt in formats:
        name = export.FORMATS[fmt][0]
        outputs.append(export.Output(name, export.serialise(ds, fmt)))
    if "jsonld" in formats:
        import json

        ctx = json.dumps(export.jsonld_context(), indent=1, sort_keys=True) + "\n"
        outputs.append(export.Output(export.CONTEXT_FILE, ctx.encode("utf-8")))
    from kg_build import sssom

    outputs.append(export.Output(sssom.SSSOM_FILE, sssom.render(sssom.mapping_rows(cur))))
    outputs.append(export.Output(export.ONTOLOGY_FILE_NAME, ONTOLOGY_FILE.read_bytes()))
    digests = {o.name: export.sha256(o.data) for o in outputs}
    inputs = {name: export.sha256_file(path) for name, path in input_files(cur).items()}
    outputs.append(export.Output(export.MANIFEST_FILE, export.manifest(ds, inputs, digests, extra)))
    export.ensure_directory(out_dir)
    staged = None
    if with_store:
        nquads = next((o.data for o in outputs if o.name == export.FORMATS["nquads"][0]), None)
        staged = store.StagedStore(out_dir, nquads or export.serialise(ds, "nquads"))
    try:
        export.write_atomically(out_dir, outputs)
    except BaseException:
        if staged:
            staged.discard()
        raise
    if staged:
        staged.commit()
    from kg_build import sssom as _sssom

    export.remove_stale(out_dir, [o.name for o in outputs], [*export.export_file_names(), _sssom.SSSOM_FILE])
    return BuildResult(ds, out_dir, digests, warnings)


def check_shapes(ds: Dataset) -> validation.Report:
    """Validate the dataset against the shapes; a violation raises ``ValidationFailure`` with the report."""
    report = validation.validate(ds)
    if not report.conforms:
        raise ValidationFailure(
            "the graph does not conform to its SHACL shapes (ontology/shapes.ttl); nothing was written.\n"
            + report.text().rstrip("\n")
        )
    return report


def validation_summary(report: validation.Report) -> dict[str, object]:
    """What the manifest records of the validation: the verdict and every warning, sorted."""
    return {
        "shapes": "ontology/shapes.ttl",
        "conforms": report.conforms,
        "violations": len(report.violations),
        "warnings": [r.as_dict() for r in report.warnings],
    }
