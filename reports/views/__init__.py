from .catalogue import budget_pivot, dataset_zip, outcome_shares, region_funding, yoy
from .catalogue import index as report_index
from .dashboard import dashboard
from .glossary import glossary
from .history import cluster_history, program_history, region_history
from .outcomes import outcomes
from .paper import paper
from .programs import budget_list, program_detail, program_list
from .regions import cluster_detail, region_detail, region_list
from .status import status_board

__all__ = [
    "dashboard",
    "program_list",
    "program_detail",
    "budget_list",
    "region_list",
    "region_detail",
    "cluster_detail",
    "outcomes",
    "program_history",
    "cluster_history",
    "region_history",
    "status_board",
    "report_index",
    "budget_pivot",
    "region_funding",
    "outcome_shares",
    "yoy",
    "dataset_zip",
    "glossary",
    "paper",
]
