from .dashboard import dashboard
from .outcomes import outcomes
from .programs import budget_list, program_detail, program_list
from .regions import cluster_detail, region_detail, region_list

__all__ = [
    "dashboard",
    "program_list",
    "program_detail",
    "budget_list",
    "region_list",
    "region_detail",
    "cluster_detail",
    "outcomes",
]
