package net.kimik2.shredding.privacy;

/** Encryption for a scope that was erased: refused, so that no personal data of an erased subject is ever stored. */
public class ScopeErasedException extends RuntimeException {

    public ScopeErasedException(String scope) {
        super("the data subject of scope " + scope + " was erased; nothing may be encrypted for it", null, false, false);
    }
}
