"""Analysis of a document before any request's values, and residual documents.

`analyze` picks the operation as graphql-core's executor does, and returns None
for documents that have nothing to compile (mutations, documents that name none
of the compiled root fields, fragments with variables). `residual_document` keeps
the root fields that resolvers serve, so they run in the same response.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from graphql import (
    DirectiveNode,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    VariableNode,
    Visitor,
    visit,
)
from graphql.execution.collect_fields import FragmentDetails

_CONDITIONS = frozenset({"include", "skip"})


@dataclass(frozen=True, slots=True)
class Analysis:
    operation: OperationDefinitionNode
    fragments: dict[str, FragmentDetails]
    # Variables of @include and @skip: their values shape a plan.
    condition_variables: tuple[str, ...]


def analyze(
    document: DocumentNode, operation_name: str | None, root_fields: frozenset[str]
) -> Analysis | None:
    operation = _operation(document, operation_name)
    if operation is None or operation.operation != OperationType.QUERY:
        return None
    definitions = [
        definition
        for definition in document.definitions
        if isinstance(definition, FragmentDefinitionNode)
    ]
    if any(definition.variable_definitions for definition in definitions):
        return None
    fragments = {
        definition.name.value: FragmentDetails(definition) for definition in definitions
    }
    names = set(_root_field_names(operation.selection_set, fragments, set()))
    if not names & root_fields:
        return None
    return Analysis(operation, fragments, tuple(sorted(_condition_variables(document))))


def _operation(
    document: DocumentNode, operation_name: str | None
) -> OperationDefinitionNode | None:
    operations = [
        definition
        for definition in document.definitions
        if isinstance(definition, OperationDefinitionNode)
    ]
    if operation_name is None:
        return operations[0] if len(operations) == 1 else None
    for operation in operations:
        if operation.name is not None and operation.name.value == operation_name:
            return operation
    return None


def _root_field_names(
    selection_set: SelectionSetNode,
    fragments: dict[str, FragmentDetails],
    visited: set[str],
) -> Iterator[str]:
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            yield selection.name.value
        elif isinstance(selection, InlineFragmentNode):
            yield from _root_field_names(selection.selection_set, fragments, visited)
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            if name in visited or name not in fragments:
                continue
            visited.add(name)
            definition = fragments[name].definition
            yield from _root_field_names(definition.selection_set, fragments, visited)


class _ConditionVariables(Visitor):
    """Collector of the variables that @include and @skip read."""

    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()

    def enter_directive(self, node: DirectiveNode, *_args: object) -> None:
        if node.name.value not in _CONDITIONS:
            return
        for argument in node.arguments or ():
            if isinstance(argument.value, VariableNode):
                self.names.add(argument.value.name.value)


def _condition_variables(document: DocumentNode) -> set[str]:
    collector = _ConditionVariables()
    visit(document, collector)
    return collector.names


def residual_document(
    analysis: Analysis, field_nodes: Iterable[FieldNode]
) -> DocumentNode:
    """Return the operation reduced to `field_nodes` at its root, with every
    fragment, for the resolvers to execute."""
    operation = analysis.operation
    reduced = OperationDefinitionNode(
        operation=operation.operation,
        name=operation.name,
        variable_definitions=operation.variable_definitions,
        directives=operation.directives,
        selection_set=SelectionSetNode(selections=tuple(field_nodes)),
    )
    fragments = tuple(details.definition for details in analysis.fragments.values())
    return DocumentNode(definitions=(reduced, *fragments))
