package net.kimik2.api.accounts;

public record FindAccountQuery(String userId) {
}
