"""Dashboard, drill-down lists (with CSV/XLSX export) and the map's data."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app, jsonify, render_template, request, url_for
from flask_babel import get_locale
from werkzeug.wrappers import Response

from app.models import Role
from app.security.roles import current_scope, roles_required
from app.services import exports, kpis, portfolio, telesales
from app.services.clock import local_today
from app.supervisor import bp, charts, tables
from app.supervisor.forms import PERIODS, ListForm, kpi_filter, parse_filters
from app.supervisor.gcpause import without_gc_pauses

ROLES = (Role.SUPERVISOR, Role.ADMIN)
MAX_ROWS = 500  # on screen; exports carry every row


def _filters() -> tuple[kpis.KpiFilter, dict[str, object]]:
    fargs = parse_filters(request.args)
    scope = current_scope()
    return kpi_filter(fargs, scope, local_today()), {
        "fargs": fargs,
        "args": fargs.query(),
        "scope": scope,
    }


def _choices(scope) -> dict[str, object]:  # type: ignore[no-untyped-def]
    return {
        "owners": portfolio.list_owners(scope=scope),
        "segments": portfolio.list_segments(scope=scope),
        "zones": kpis.list_zones(scope=scope),
        "periods": PERIODS,
        "reason_labels": dict(telesales.no_sale_reasons(scope.company_id, str(get_locale()))),
    }


@bp.route("/")
@roles_required(*ROLES)
@without_gc_pauses
def index() -> str:
    """Where the team is failing its customers, with every figure linked to its customers."""
    flt, ctx = _filters()
    dash = kpis.build_dashboard(flt)
    labels = [p.week_end.strftime("%d/%m") for p in dash.trends]
    trend_charts = {
        "coverage": charts.chart(
            [p.coverage for p in dash.trends],
            labels,
            [f"{p.coverage:.0%}" for p in dash.trends],
            top=1.0,
        ),
        "activation": charts.chart(
            [p.activation for p in dash.trends],
            labels,
            [f"{p.activation:.0%}" for p in dash.trends],
        ),
        "churn": charts.chart(
            [float(p.churned) for p in dash.trends],
            labels,
            [str(p.churned) for p in dash.trends],
            tick_format="{:.0f}",
        ),
    }
    return render_template(
        "supervisor/index.html",
        d=dash,
        flt=flt,
        charts=trend_charts,
        tables=tables,
        links={k: _week_links(dash.trends, ctx["args"], k) for k in ("gap", "churned")},
        tile_url=current_app.config["TILE_URL"],
        **ctx,
        **_choices(ctx["scope"]),
    )


def _week_links(points: list[kpis.TrendPoint], args: object, key: str) -> list[str]:
    """Drill-down links of a trend's weeks: the list as of each week (its 7 days as period)."""
    keep = {k: v for k, v in dict(args).items() if k in ("rep", "segment", "zone")}  # type: ignore[call-overload]
    return [
        url_for(
            "supervisor.customers",
            list=key,
            start=(p.week_end - timedelta(days=6)).isoformat(),
            end=p.week_end.isoformat(),
            **keep,
        )
        for p in points
    ]


@bp.route("/clientes")
@roles_required(*ROLES)
@without_gc_pauses
def customers() -> Response | str:
    """The customers behind one figure of the dashboard; `format=csv|xlsx` exports them."""
    flt, ctx = _filters()
    args = ListForm(request.args)
    key, day, user_id, reason = args.list.data, args.day.data, args.user.data, args.reason.data
    if user_id:
        ctx["scope"].get_user(user_id)  # type: ignore[attr-defined]
    rows = kpis.customer_list(flt, key, day=day, user_id=user_id, reason=reason)  # or NotFound
    fmt = args.format.data
    if fmt in ("csv", "xlsx"):
        return _export(rows, key, fmt)
    extra = {
        "list": key,
        "day": day.isoformat() if day else None,
        "user": user_id,
        "reason": reason,
    }
    return render_template(
        "supervisor/list.html",
        rows=rows,
        key=key,
        title=tables.LIST_TITLES.get(key, key),
        flt=flt,
        day=day,
        extra={k: v for k, v in extra.items() if v},
        tables=tables,
        max_rows=MAX_ROWS,
        **ctx,
        **_choices(ctx["scope"]),
    )


def _export(rows: list[kpis.ListRow], key: str, fmt: str) -> Response:
    headers, body = tables.table(rows)
    name = f"roteiro-{key}-{local_today().isoformat()}"
    if fmt == "csv":
        data = exports.to_csv(headers, body, decimal_comma=not str(get_locale()).startswith("en"))
        mime = exports.CSV_MIME
    else:
        data = exports.to_xlsx(headers, body)
        mime = exports.XLSX_MIME
    response = Response(data, mimetype=mime)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


@bp.route("/mapa.json")
@roles_required(*ROLES)
@without_gc_pauses
def map_data() -> Response:
    """The filtered customers with a position, coloured by status, for the map."""
    flt, _ctx = _filters()
    facts = kpis.load_facts(flt)
    points = [
        {
            "id": f.id,
            "name": f.name,
            "lat": round(f.latitude, 5),
            "lon": round(f.longitude, 5),
            "status": f.status,
            "label": tables.status_label(f.status),
            "url": url_for("portfolio.customer", customer_id=f.id),
        }
        for f in facts.values()
        if f.latitude is not None and f.longitude is not None
    ]
    return jsonify(points=points)
