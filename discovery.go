package jwtguard

import (
	"context"
	"encoding/json"
	"net/url"
	"strings"
)

// Discover finds an OpenID provider's key set through OpenID Connect
// Discovery: it fetches issuer + "/.well-known/openid-configuration",
// checks that the document's "issuer" is exactly issuer (OpenID Connect
// Discovery §4.3: a mix-up here would trust another provider's keys), and
// returns a [RemoteKeySet] on its "jwks_uri". The document is fetched once,
// within the startup timeout; the key set then refreshes as any other.
// Verify the tokens with [WithIssuer](issuer) too.
func Discover(ctx context.Context, issuer string, opts ...RemoteOption) (*RemoteKeySet, error) {
	c := newRemoteConfig(opts)
	if err := c.err(); err != nil {
		return nil, err
	}
	iu, err := url.Parse(issuer)
	if err != nil || !usableURL(iu) || strings.ContainsAny(issuer, "?#") {
		return nil, configError("issuer %q is not https (or http on a loopback host) without query or fragment", issuer)
	}
	ctx, cancel := context.WithTimeout(ctx, c.startupTimeout)
	defer cancel()
	body, _, _, err := fetchBody(ctx, c.client, strings.TrimSuffix(issuer, "/")+"/.well-known/openid-configuration", c.maxSize)
	if err != nil {
		return nil, configError("discovery for %s: %v", issuer, err)
	}
	var doc struct {
		Issuer  string `json:"issuer"`
		JWKSURI string `json:"jwks_uri"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, configError("discovery for %s: %v", issuer, err)
	}
	if doc.Issuer != issuer {
		return nil, configError("discovery for %s: the document names issuer %q", issuer, doc.Issuer)
	}
	ju, err := url.Parse(doc.JWKSURI)
	if err != nil || !usableURL(ju) || ju.Scheme != "https" && iu.Scheme != "http" || ju.Fragment != "" {
		return nil, configError("discovery for %s: jwks_uri %q is not usable", issuer, doc.JWKSURI)
	}
	return NewRemoteKeySet(doc.JWKSURI, opts...)
}
