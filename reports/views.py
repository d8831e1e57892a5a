from django.shortcuts import render

from core.history import data_as_of
from programs.choices import Stage
from programs.selectors import budget_overview


def dashboard(request):
    """The program tree with every budget figure by fiscal year and stage (百万円), and its sources."""
    nodes, columns, sources = budget_overview(user=request.user)
    source_numbers = {source.pk: index for index, source in enumerate(sources, start=1)}
    stage_labels = dict(Stage.choices)
    rows = [
        {
            "program": node.program,
            "depth": node.depth,
            "cells": [
                {"line": node.lines.get(column), "note": source_numbers.get(node.lines[column].source_id)}
                if column in node.lines
                else {"line": None}
                for column in columns
            ],
        }
        for node in nodes
    ]
    years = []
    for fy, _stage in columns:
        if years and years[-1]["fy"] == fy:
            years[-1]["span"] += 1
        else:
            years.append({"fy": fy, "span": 1})
    context = {
        "rows": rows,
        "columns": [{"fy": fy, "stage": stage, "label": stage_labels[stage]} for fy, stage in columns],
        "years": years,
        "sources": sources,
        "data_as_of": data_as_of(),
    }
    return render(request, "reports/dashboard.html", context)
