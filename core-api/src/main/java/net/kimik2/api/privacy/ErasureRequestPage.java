package net.kimik2.api.privacy;

import java.util.List;

public record ErasureRequestPage(List<ErasureRequestView> requests, boolean hasNextPage, String endCursor) {
}
