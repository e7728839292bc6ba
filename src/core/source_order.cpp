#include "source_order.hpp"

namespace mvs {

void hold_for_sources(const BatchView* batch, int n, bool* held, int* scratch) noexcept {
    // A topological rank of the due views over the edges source -> reader, by an iterative
    // depth-first search from each view in turn; an edge back into the current path (a cycle) is
    // dropped, so the rank is defined for every graph.
    int* rank = scratch;      // -1: not visited; -2: on the path; >= 0: ranked
    int* stack = scratch + n; // the path
    int* next_edge = scratch + 2 * n;
    for (int i = 0; i < n; ++i) {
        rank[i] = -1;
        held[i] = false;
    }
    int next_rank = 0;
    // Roots in batch order, so that within a cycle the view first in the batch is ranked first.
    for (int root = 0; root < n; ++root) {
        if (rank[root] != -1)
            continue;
        int depth = 0;
        stack[depth++] = root;
        next_edge[root] = 0;
        rank[root] = -2;
        while (depth > 0) {
            const int v = stack[depth - 1];
            if (next_edge[v] < batch[v].n_sources) {
                const int s = batch[v].sources[next_edge[v]++];
                if (s < 0 || s >= n || s == v || rank[s] != -1)
                    continue; // out of range, itself, on the path (a cycle) or ranked already
                rank[s] = -2;
                next_edge[s] = 0;
                stack[depth++] = s;
            } else {
                rank[v] = next_rank++; // its sources are ranked before it
                --depth;
            }
        }
    }
    for (int i = 0; i < n; ++i) {
        if (!batch[i].due)
            continue;
        for (int k = 0; k < batch[i].n_sources && !held[i]; ++k) {
            const int s = batch[i].sources[k];
            if (s < 0 || s >= n || s == i)
                continue;
            if (batch[s].running)
                held[i] = true;
            else if (batch[s].due && batch[s].next_run <= batch[i].next_run && rank[s] < rank[i])
                held[i] = true;
        }
    }
}

} // namespace mvs
