package net.kimik2.api.conversations;

import java.util.List;

public record ConversationPage(List<ConversationSummaryView> conversations, boolean hasNextPage, String endCursor) {
}
