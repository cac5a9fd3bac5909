"""The local Graph server driven by the real msgraph-sdk: govkit's calls, answered as Graph does."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from govkit.testing.graphserver import GraphFaults, GraphServer
from tests.identity.conftest import ANALYSTS_ID, ETL_APP, directory, sdk_client


def run(coro: Any) -> Any:
    return asyncio.run(coro)


def _config(**query: Any) -> Any:
    from kiota_abstractions.base_request_configuration import RequestConfiguration
    from kiota_abstractions.headers_collection import HeadersCollection

    return RequestConfiguration(query_parameters=query.pop("q", None), headers=HeadersCollection())


def test_groups_by_display_name_members_and_paging(graph_factory: Any) -> None:
    server = graph_factory(directory(people=7))
    client = sdk_client(server)
    from msgraph.generated.groups.groups_request_builder import GroupsRequestBuilder
    from msgraph.generated.groups.item.transitive_members.transitive_members_request_builder import (  # noqa: E501
        TransitiveMembersRequestBuilder,
    )
    from msgraph.generated.models.group import Group
    from msgraph.generated.models.service_principal import ServicePrincipal
    from msgraph.generated.models.user import User
    from msgraph_core import PageIterator

    async def go() -> tuple[Any, list[Any]]:
        query = GroupsRequestBuilder.GroupsRequestBuilderGetQueryParameters(
            filter="displayName eq 'finance-analysts'", select=["id", "displayName"]
        )
        found = await client.groups.get(request_configuration=_config(q=query))
        q = TransitiveMembersRequestBuilder.TransitiveMembersRequestBuilderGetQueryParameters(
            top=3, select=["id", "displayName", "userPrincipalName", "appId", "accountEnabled"]
        )
        first = await client.groups.by_group_id(ANALYSTS_ID).transitive_members.get(
            request_configuration=_config(q=q)
        )
        items: list[Any] = []
        iterator = PageIterator(first, client.request_adapter)
        await iterator.iterate(lambda obj: items.append(obj) or True)
        return found, items

    found, items = run(go())
    assert [(g.id, g.display_name) for g in found.value] == [(ANALYSTS_ID, "finance-analysts")]
    # 7 people + gone + the nested group + the service principal, over pages of 3.
    assert len(items) == 10
    assert {type(i) for i in items} == {User, Group, ServicePrincipal}
    gone = next(
        i for i in items if isinstance(i, User) and i.user_principal_name.startswith("gone")
    )
    assert gone.account_enabled is False
    assert sum("transitiveMembers" in r.target for r in server.requests) == 4


def test_service_principal_by_app_id_and_missing_objects(graph_factory: Any) -> None:
    client = sdk_client(graph_factory())
    from msgraph.generated.models.o_data_errors.o_data_error import ODataError

    async def go() -> tuple[Any, Any, Any]:
        sp = await client.service_principals_with_app_id(ETL_APP).get()
        try:
            await client.service_principals_with_app_id("00000000-0000-0000-0000-0000000000").get()
        except ODataError as exc:
            missing = exc
        user = await client.users.by_user_id("user1@m.example").get()
        return sp, missing, user

    sp, missing, user = run(go())
    assert (sp.app_id, sp.display_name) == (ETL_APP, "sp-finance-etl-prod")
    assert missing.response_status_code == 404
    assert missing.error.code == "Request_ResourceNotFound"
    assert user.user_principal_name == "user1@m.example"
    assert user.account_enabled is None  # not in Graph's default property set


def test_count_needs_consistency_level_as_in_graph(graph_factory: Any) -> None:
    client = sdk_client(graph_factory())
    from msgraph.generated.groups.groups_request_builder import GroupsRequestBuilder
    from msgraph.generated.models.o_data_errors.o_data_error import ODataError

    query = GroupsRequestBuilder.GroupsRequestBuilderGetQueryParameters(count=True)

    async def go() -> tuple[Any, Any]:
        try:
            await client.groups.get(request_configuration=_config(q=query))
        except ODataError as exc:
            refused = exc
        config = _config(q=query)
        config.headers.add("ConsistencyLevel", "eventual")
        return refused, await client.groups.get(request_configuration=config)

    refused, page = run(go())
    assert refused.response_status_code == 400
    assert page.odata_count == 2


def test_wrong_or_missing_token_is_refused(graph_factory: Any) -> None:
    server = graph_factory()
    from msgraph.generated.models.o_data_errors.o_data_error import ODataError

    with pytest.raises(ODataError) as refused:
        run(sdk_client(server, token="wrong").groups.get())
    assert refused.value.response_status_code == 401
    assert refused.value.error.code == "InvalidAuthenticationToken"


@pytest.mark.parametrize("retry_after", [1, None])
def test_throttled_requests_are_retried_by_the_sdk(
    graph_factory: Any, retry_after: int | None
) -> None:
    server = graph_factory(faults=GraphFaults(throttle_first=1, retry_after=retry_after))
    client = sdk_client(server)
    from kiota_http.middleware.options import RetryHandlerOption

    config = _config()
    config.options = [RetryHandlerOption(delay=0.05)]  # the SDK's own backoff, test-sized
    started = time.monotonic()
    page = run(client.groups.get(request_configuration=config))
    assert len(page.value) == 2
    assert [r.status for r in server.requests] == [429, 200]
    if retry_after is not None:
        assert time.monotonic() - started >= retry_after


def test_batch_answers_each_part_and_refuses_more_than_20(graph_factory: Any) -> None:
    server: GraphServer = graph_factory(faults=GraphFaults(throttle_first=1, paths=("users/",)))
    client = sdk_client(server)
    from govkit.identity.batching import Batcher, BatchSettings, Get

    batcher = Batcher(client.request_adapter, server.url, BatchSettings(attempts=1))
    gets = [Get("groups", "/groups"), Get("user", "/users/user1@m.example"),
            Get("nobody", "/users/nobody@m.example")]  # fmt: skip
    too_many = [Get(str(i), "/groups") for i in range(21)]

    async def go() -> tuple[dict[str, Any], Any]:
        answers = await batcher.get_all(gets)
        return answers, await batcher._send(too_many)

    answers, refused = run(go())
    assert {k: a.status for k, a in answers.items()} == {"groups": 200, "user": 429, "nobody": 429}
    assert len(answers["groups"].body["value"]) == 2
    assert {a.status for a, _ in refused.values()} == {400}
    assert "maximum of 20" in refused["0"][0].message
    assert [r.target for r in server.requests if not r.in_batch] == ["/v1.0/$batch"] * 2


def test_delta_reports_changes_then_expires(graph_factory: Any) -> None:
    from govkit.identity.document import Group, make_identities

    server: GraphServer = graph_factory()
    client = sdk_client(server)

    async def walk(url: str | None = None) -> tuple[list[Any], str]:
        builder = client.groups.delta if url is None else client.groups.delta.with_url(url)
        page = await builder.get()
        groups = list(page.value)
        while page.odata_next_link:
            page = await client.groups.delta.with_url(page.odata_next_link).get()
            groups.extend(page.value)
        return groups, page.odata_delta_link

    async def go() -> tuple[list[Any], str, list[Any], int]:
        groups, link = await walk()
        old = directory()
        server.directory.replace(
            make_identities(
                "file",
                [old.groups[0], Group("finance-interns", None, ())],
                old.users,
                old.service_principals,
            )
        )
        changed, _ = await walk(link)
        answers = []
        for status in (400, 410):  # a token past its lifetime, then a synchronization reset
            server.directory.expire_delta_links(status)
            try:
                await walk(link)
                answers.append((200, ""))
            except ODataError as exc:
                code = exc.error.code if exc.error is not None else ""
                answers.append((exc.response_status_code, str(code)))
        return groups, link, changed, answers

    from msgraph.generated.models.o_data_errors.o_data_error import ODataError

    groups, link, changed, expired = run(go())
    assert len(groups) == 2
    assert link.startswith(server.url)
    assert [g.display_name for g in changed] == ["finance-interns"]
    removed = changed[0].additional_data["members@delta"]
    assert len(removed) == 3 and all("@removed" in m for m in removed)
    # As Graph answers an expired delta link (graphdirectory.Directory.expired_status).
    assert expired == [(400, "syncStateNotFound"), (410, "resyncRequired")]
