package net.kimik2.graphql.platform.schema;

import java.util.List;

/** Relay connection shapes shared by every list. */
public final class Connections {

    private Connections() {
    }

    public record PageInfo(boolean hasNextPage, String endCursor) {
    }

    public record Edge<T>(T node, String cursor) {
    }

    public record Connection<T>(List<Edge<T>> edges, PageInfo pageInfo) {
    }
}
