import { GraphQLError, Kind, type ASTVisitor, type FragmentDefinitionNode, type SelectionSetNode, type ValidationContext } from 'graphql';

/**
 * Validation rules that refuse queries too deep or too costly before anything runs. Cost is an
 * estimate: 1 per field, and a list field multiplies its children by its `first` argument (or by
 * LIST_ESTIMATE when it has none). Introspection (`__schema`, `__type`) is not counted.
 */
const LIST_ESTIMATE = 10;

interface Measure {
  depth: number;
  cost: number;
}

function measure(selectionSet: SelectionSetNode, fragments: Record<string, FragmentDefinitionNode>, variables: Record<string, unknown>, seen: Set<string>): Measure {
  let depth = 0;
  let cost = 0;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      if (selection.name.value.startsWith('__')) continue;
      if (!selection.selectionSet) {
        cost += 1;
        depth = Math.max(depth, 1);
        continue;
      }
      const inner = measure(selection.selectionSet, fragments, variables, seen);
      const firstArg = selection.arguments?.find((a) => a.name.value === 'first');
      let multiplier = 1;
      if (firstArg) {
        const value = firstArg.value.kind === Kind.INT ? Number(firstArg.value.value) : firstArg.value.kind === Kind.VARIABLE ? Number(variables[firstArg.value.name.value] ?? LIST_ESTIMATE) : LIST_ESTIMATE;
        multiplier = Number.isFinite(value) && value > 0 ? value : 1;
      } else if (/s$|edges$|nodes$/.test(selection.name.value)) {
        multiplier = LIST_ESTIMATE;
      }
      cost += 1 + multiplier * inner.cost;
      depth = Math.max(depth, 1 + inner.depth);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      const inner = measure(selection.selectionSet, fragments, variables, seen);
      cost += inner.cost;
      depth = Math.max(depth, inner.depth);
    } else {
      const name = selection.name.value;
      const fragment = fragments[name];
      if (!fragment || seen.has(name)) continue; // cycles are reported by graphql's own rules
      const inner = measure(fragment.selectionSet, fragments, variables, new Set([...seen, name]));
      cost += inner.cost;
      depth = Math.max(depth, inner.depth);
    }
  }
  return { depth, cost };
}

export function queryLimitRule(limits: { maxDepth: number; maxCost: number }, variables: () => Record<string, unknown> = () => ({})) {
  return (context: ValidationContext): ASTVisitor => ({
    OperationDefinition(node) {
      const fragments = Object.fromEntries(
        context.getDocument().definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]),
      );
      const { depth, cost } = measure(node.selectionSet, fragments, variables(), new Set());
      if (depth > limits.maxDepth) {
        context.reportError(new GraphQLError(`query is ${depth} levels deep; the limit is ${limits.maxDepth}`, { nodes: [node], extensions: { code: 'QUERY_TOO_DEEP' } }));
      }
      if (cost > limits.maxCost) {
        context.reportError(new GraphQLError(`query costs about ${cost} (fields × page sizes); the limit is ${limits.maxCost}: ask for fewer items per page`, { nodes: [node], extensions: { code: 'QUERY_TOO_COSTLY' } }));
      }
    },
  });
}
