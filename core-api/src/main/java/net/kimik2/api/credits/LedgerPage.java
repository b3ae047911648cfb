package net.kimik2.api.credits;

import java.util.List;

public record LedgerPage(List<LedgerEntryView> entries, boolean hasNextPage, String endCursor) {
}
