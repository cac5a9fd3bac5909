"""A messy estate, as years of hand-made grants leave one, loaded into the local server."""

from __future__ import annotations

from govkit.privileges import SecurableType as T
from govkit.state import State, make_securable, make_state
from govkit.testing.ucserver import UCServer

ETL = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"
ETL_SCIM_ID = "7000000000000042"
WORKSPACES = [1001, 1002]


def messy_state() -> State:
    """Individual owners, a grant to a user, a schema owned by someone who left, tables
    without grants, privileges in old spellings, a catalog outside the naming template and
    a legacy privilege the spec cannot hold."""
    c, s, t = T.CATALOG, T.SCHEMA, T.TABLE
    return make_state(
        "workspace",
        [
            make_securable(
                c,
                "sales_dev",
                "sales-owners",
                {"sales-analysts": ["use catalog", "USE SCHEMA", "Select"]},
                "ISOLATED",
                WORKSPACES,
            ),
            make_securable(
                s,
                "sales_dev.orders",
                "ada@example.com",
                {
                    "ada@example.com": ["SELECT", "USE_SCHEMA"],
                    ETL: ["MODIFY", "SELECT", "USE_SCHEMA"],
                },
            ),
            make_securable(t, "sales_dev.orders.lines", "ada@example.com", {}),
            make_securable(
                t, "sales_dev.orders.returns", "ada@example.com", {"sales-analysts": ["SELECT"]}
            ),
            make_securable(s, "sales_dev.archive", "gone@example.com", {}),
            make_securable(t, "sales_dev.archive.old", "gone@example.com", {}),
            make_securable(
                c,
                "web_dev",
                "web-owners",
                {"web-analysts": ["USE_CATALOG", "BROWSE"], "old-team": ["USAGE"]},
                "ISOLATED",
                WORKSPACES,
            ),
            make_securable(
                s, "web_dev.sessions", "web-owners", {"web-analysts": ["USE_SCHEMA", "SELECT"]}
            ),
            make_securable(
                c,
                "hive_reports",
                "sales-owners",
                {"sales-analysts": ["ALL PRIVILEGES"]},
                "ISOLATED",
                WORKSPACES,
            ),
        ],
        environment="dev",
    )


COMMENTS = {
    (T.CATALOG, "sales_dev"): 'Orders and "pipeline" forecasts; ${not_a_variable} stays',
    (T.SCHEMA, "sales_dev.orders"): "Zürich → 東京\nsecond line",
}


def load_messy(server: UCServer) -> State:
    state = messy_state()
    with server.store.lock:
        server.store.load_states([state])
        for key, comment in COMMENTS.items():
            server.store.objects[key].extra["comment"] = comment
        server.store.service_principals[ETL_SCIM_ID] = {
            "id": ETL_SCIM_ID,
            "applicationId": ETL,
            "displayName": "sp-sales-etl",
            "active": True,
        }
        for workspace in WORKSPACES:  # assigned to the environment's workspaces long ago
            server.store.assignments[(workspace, ETL_SCIM_ID)] = ["USER"]
    return state
