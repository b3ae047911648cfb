package net.kimik2.api.audit;

import java.util.List;

/** A page of the admin-access log. */
public record AdminAccessPage(List<AdminAccessEntry> entries, boolean hasNextPage, String endCursor) {
}
