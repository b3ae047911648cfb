package net.kimik2.api.accounts;

import java.time.Instant;
import net.kimik2.api.privacy.DataSubject;
import net.kimik2.api.privacy.PersonalData;

public record AccountView(
        @DataSubject String id,
        @PersonalData String username,
        @PersonalData String name,
        @PersonalData String email,
        Role role,
        Instant createdAt) {

    @Override
    public String toString() {
        return "AccountView[id=" + id + ", role=" + role + "]";
    }
}
