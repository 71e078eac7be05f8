package jwtguardgrpc

import (
	"context"
	"net/http"
	"net/textproto"
	"net/url"
	"strings"

	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/peer"
)

// request describes a call as the HTTP/2 request it travels in, so that the
// Guard's extractor, its policies and its log read it as they read any
// request: method POST, path the full method name, the metadata as headers
// (the token in "authorization"), the peer's address and TLS state, and
// ctx as its context. The body is empty: policies see the call, never its
// message. A credential source that checks more than the token (a DPoP
// proof in "dpop", with htm POST and htu this URL) reads the same request.
func request(ctx context.Context, fullMethod string) *http.Request {
	md, _ := metadata.FromIncomingContext(ctx)
	h := make(http.Header, len(md))
	host := ""
	for k, vs := range md {
		switch {
		case k == ":authority" && len(vs) > 0:
			host = vs[0]
		case strings.HasPrefix(k, ":"), strings.HasSuffix(k, "-bin"):
			// Pseudo-headers are not headers; binary values are not text.
		default:
			h[textproto.CanonicalMIMEHeaderKey(k)] = vs
		}
	}
	r := &http.Request{
		Method:     http.MethodPost,
		URL:        &url.URL{Scheme: "http", Host: host, Path: fullMethod},
		Proto:      "HTTP/2.0",
		ProtoMajor: 2,
		Header:     h,
		Body:       http.NoBody,
		Host:       host,
		RequestURI: fullMethod,
	}
	if p, ok := peer.FromContext(ctx); ok {
		if p.Addr != nil {
			r.RemoteAddr = p.Addr.String()
		}
		if info, ok := p.AuthInfo.(credentials.TLSInfo); ok {
			r.TLS = &info.State
			r.URL.Scheme = "https"
		}
	}
	return r.WithContext(ctx)
}
