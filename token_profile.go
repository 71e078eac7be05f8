package jwtguard

import "errors"

// simplejwt's token profile: what its Token class requires of a token
// beyond the signature and the dates, in its order. A verifier with an
// expected token type (the default, "access") applies it; WithTokenType("")
// turns it off for tokens of other issuers.

var (
	// errKindNoID marks a token without "jti" (simplejwt: "Token has no id").
	errKindNoID = errors.New("jwtguard: token has no id")
	// errKindNoType marks a token without "token_type" ("Token has no type").
	errKindNoType = errors.New("jwtguard: token has no type")

	errNoID   = invalid(`token has no "jti"`, errKindNoID, ErrTokenRequiredClaimMissing)
	errNoType = invalid(`token has no "token_type"`, errKindNoType, ErrTokenWrongType)
)

// checkProfile refuses, when a token type is expected, a token without
// "jti", without "token_type", or of another type.
func (c *verifierConfig) checkProfile(claims *Claims) error {
	switch {
	case c.tokenType == "":
		return nil
	case claims.ID == "":
		return errNoID
	case claims.TokenType == "":
		return errNoType
	case claims.TokenType != c.tokenType:
		return errTokenType
	}
	return nil
}
