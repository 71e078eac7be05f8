package bench

import (
	"net/http"

	ginjwt "github.com/appleboy/gin-jwt/v2"
	"github.com/gin-gonic/gin"
	jwtv4 "github.com/golang-jwt/jwt/v4"
	echojwt "github.com/labstack/echo-jwt/v4"
	"github.com/labstack/echo/v4"
)

func init() {
	// Release mode, as gin advises for production: debug mode prints every
	// route it registers. gin keeps its mode in a package variable.
	gin.SetMode(gin.ReleaseMode)
}

// newEchoJWT is labstack/echo-jwt v4 on a bare echo instance (echo.New,
// no other middleware): the signing key and the one signing method it
// accepts, everything else at its defaults (the Bearer header, MapClaims).
// The route's handler is next, through echo.WrapHandler.
func newEchoJWT(a *algorithm, next http.Handler) (http.Handler, error) {
	mw, err := echojwt.Config{SigningKey: a.verify, SigningMethod: a.name}.ToMiddleware()
	if err != nil {
		return nil, err
	}
	e := echo.New()
	e.Use(mw)
	e.GET("/", echo.WrapHandler(next))
	return e, nil
}

// newGinJWT is appleboy/gin-jwt v2 on a bare gin engine (gin.New, no
// logger or recovery middleware) with only its MiddlewareFunc in use: no
// login handler is mounted. HS256 and RS256 are among its
// SigningAlgorithm values (RSA keys are read from PEM, and it wants the
// private key too); ES256 and EdDSA are not, so for those it is given the
// key through its KeyFunc field and an allow-list through ParseOptions.
// The route's handler is next, through gin.WrapH.
func newGinJWT(a *algorithm, next http.Handler) (http.Handler, error) {
	cfg := &ginjwt.GinJWTMiddleware{Realm: "api", SigningAlgorithm: a.name}
	switch a.name {
	case "HS256":
		cfg.Key = a.verify.([]byte)
	case "RS256":
		cfg.PrivKeyBytes, cfg.PubKeyBytes = a.privPEM, a.pubPEM
	default:
		key := a.verify
		cfg.KeyFunc = func(*jwtv4.Token) (any, error) { return key, nil }
		cfg.ParseOptions = []jwtv4.ParserOption{jwtv4.WithValidMethods([]string{a.name})}
	}
	mw, err := ginjwt.New(cfg)
	if err != nil {
		return nil, err
	}
	engine := gin.New()
	engine.Use(mw.MiddlewareFunc())
	engine.GET("/", gin.WrapH(next))
	return engine, nil
}
