"""Measures of a document with its fragments expanded: depth, aliases,
directives, introspection and the tree its cost is computed from.

Each fragment is measured once, however often it is spread, so measuring stays
linear in the document's size even when spreads inside fragments multiply the
expanded counts.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from graphql import (
    DirectiveNode,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    OperationType,
    SelectionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
)
from graphql.type.introspection import (
    SchemaMetaFieldDef,
    TypeMetaFieldDef,
    TypeNameMetaFieldDef,
)

from registry_gql.graphql.limits.cost import PAGE_ARGUMENT, CostField, CostSet, PageSize

INTROSPECTION_FIELDS = frozenset({"__schema", "__type"})
# Levels of fields, fragment spreads and inline fragments walked before the
# document counts as too deep, which bounds the recursion of the walk.
# graphql-core 3.3 rejects documents of more than 200 nested selection sets.
MAX_NESTING = 64


class SelectionMeasure:
    """Counts of a selection set with every fragment expanded.

    `depth` counts levels of fields, except `ofType` inside introspection: a type
    reference nests a few `ofType` levels and each returns one object.
    `nesting` counts fields, spreads and inline fragments, to bound the walk.
    """

    __slots__ = ("aliases", "cost", "depth", "directives", "introspection", "nesting")

    def __init__(self) -> None:
        self.depth = 0
        self.nesting = 0
        self.aliases = 0
        self.directives = 0
        self.introspection = False
        self.cost: list[CostField | str] = []

    def add(self, other: SelectionMeasure, *, levels: int, nesting: int) -> None:
        """Count `other` as a part of this selection, `levels` and `nesting`
        deeper. The caller adds its cost."""
        self.depth = max(self.depth, other.depth + levels)
        self.nesting = max(self.nesting, other.nesting + nesting)
        self.aliases += other.aliases
        self.directives += other.directives
        self.introspection = self.introspection or other.introspection


@dataclass(frozen=True, slots=True)
class OperationMeasure:
    label: str
    selection: SelectionMeasure
    variable_defaults: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class DocumentMeasure:
    """Measures of each operation; `too_nested` when the walk stopped early.

    `repeated` is the directive used most often on one location, and how often.
    """

    operations: tuple[OperationMeasure, ...]
    fragment_costs: Mapping[str, CostSet]
    repeated: tuple[str, int] = ("", 0)
    too_nested: bool = False


class _TooNestedError(Exception):
    pass


def measure_document(schema: GraphQLSchema, document: DocumentNode) -> DocumentMeasure:
    walker = _Walker(schema, document)
    try:
        operations = tuple(
            walker.operation(definition)
            for definition in document.definitions
            if isinstance(definition, OperationDefinitionNode)
        )
    except _TooNestedError:
        return DocumentMeasure((), {}, too_nested=True)
    costs = {name: measure.cost for name, measure in walker.fragments_done.items()}
    return DocumentMeasure(operations, costs, walker.repeated)


class _Walker:
    def __init__(self, schema: GraphQLSchema, document: DocumentNode) -> None:
        self.schema = schema
        self.fragments = {
            definition.name.value: definition
            for definition in document.definitions
            if isinstance(definition, FragmentDefinitionNode)
        }
        self.fragments_done: dict[str, SelectionMeasure] = {}
        self.repeated = ("", 0)
        self._started: set[str] = set()

    def operation(self, node: OperationDefinitionNode) -> OperationMeasure:
        root = self.schema.get_root_type(node.operation)
        selection = self.selection_set(node.selection_set, root, 1)
        variables = node.variable_definitions or ()
        selection.directives += self._directives(node.directives) + sum(
            self._directives(variable.directives) for variable in variables
        )
        name = node.name.value if node.name else None
        kind = "mutation" if node.operation is OperationType.MUTATION else "query"
        label = f"The {kind} {name}" if name else f"The {kind}"
        return OperationMeasure(label, selection, _variable_defaults(node))

    def selection_set(
        self, node: SelectionSetNode, parent: GraphQLNamedType | None, level: int
    ) -> SelectionMeasure:
        if level > MAX_NESTING:
            raise _TooNestedError
        measure = SelectionMeasure()
        for item in node.selections:
            self._selection(item, parent, level, measure)
        return measure

    def _selection(
        self,
        node: SelectionNode,
        parent: GraphQLNamedType | None,
        level: int,
        into: SelectionMeasure,
    ) -> None:
        if isinstance(node, FieldNode):
            self._field(node, parent, level, into)
            return
        into.directives += self._directives(node.directives)
        if isinstance(node, InlineFragmentNode):
            condition = node.type_condition
            inner = self.schema.get_type(condition.name.value) if condition else parent
            measure = self.selection_set(node.selection_set, inner, level + 1)
            into.add(measure, levels=0, nesting=1)
            into.cost.extend(measure.cost)
            return
        assert isinstance(node, FragmentSpreadNode)
        measure = self._fragment(node.name.value, level + 1)
        into.add(measure, levels=0, nesting=1)
        into.cost.append(node.name.value)

    def _field(
        self,
        node: FieldNode,
        parent: GraphQLNamedType | None,
        level: int,
        into: SelectionMeasure,
    ) -> None:
        name = node.name.value
        definition = self._field_definition(parent, name)
        into.aliases += 1 if node.alias else 0
        into.directives += self._directives(node.directives)
        into.introspection = into.introspection or name in INTROSPECTION_FIELDS
        nested_type = (
            parent is not None and parent.name == "__Type" and name == "ofType"
        )
        counted = 0 if nested_type else 1
        size = _page_size(node, definition)
        if node.selection_set is None:
            into.depth = max(into.depth, counted)
            into.nesting = max(into.nesting, 1)
            into.cost.append(CostField(size, ()))
            return
        inner = get_named_type(definition.type) if definition else None
        children = self.selection_set(node.selection_set, inner, level + 1)
        into.add(children, levels=counted, nesting=1)
        into.cost.append(CostField(size, children.cost))

    def _fragment(self, name: str, level: int) -> SelectionMeasure:
        if name in self.fragments_done:
            measure = self.fragments_done[name]
            if level + measure.nesting > MAX_NESTING:
                raise _TooNestedError
            return measure
        definition = self.fragments.get(name)
        if definition is None or name in self._started:
            # An unknown fragment or a cycle: validation rejects the document.
            return SelectionMeasure()
        self._started.add(name)
        condition = self.schema.get_type(definition.type_condition.name.value)
        measure = self.selection_set(definition.selection_set, condition, level)
        measure.directives += self._directives(definition.directives)
        self.fragments_done[name] = measure
        return measure

    def _directives(self, nodes: Sequence[DirectiveNode] | None) -> int:
        """Return how many directives one location has, and keep the most
        repeated one of the document."""
        if not nodes:
            return 0
        if len(nodes) > 1:
            [(name, count)] = Counter(n.name.value for n in nodes).most_common(1)
            if count > self.repeated[1]:
                self.repeated = (name, count)
        return len(nodes)

    def _field_definition(
        self, parent: GraphQLNamedType | None, name: str
    ) -> GraphQLField | None:
        if name == "__schema":
            return SchemaMetaFieldDef
        if name == "__type":
            return TypeMetaFieldDef
        if name == "__typename":
            return TypeNameMetaFieldDef
        if isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
            definition: GraphQLField | None = parent.fields.get(name)
            return definition
        return None


def _page_size(node: FieldNode, definition: GraphQLField | None) -> PageSize | None:
    declared = definition.args.get(PAGE_ARGUMENT) if definition else None
    argument = next(
        (arg for arg in node.arguments or () if arg.name.value == PAGE_ARGUMENT), None
    )
    if declared is None and argument is None:
        return None
    default = getattr(declared, "default_value", None)
    default = default if isinstance(default, int) else 1
    if argument is None:
        return PageSize(default=default)
    if isinstance(argument.value, IntValueNode):
        return PageSize(literal=int(argument.value.value))
    if isinstance(argument.value, VariableNode):
        return PageSize(variable=argument.value.name.value, default=default)
    return PageSize(default=default)


def _variable_defaults(node: OperationDefinitionNode) -> dict[str, int]:
    return {
        variable.variable.name.value: int(variable.default_value.value)
        for variable in node.variable_definitions or ()
        if isinstance(variable.default_value, IntValueNode)
    }
