package handlers

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"
)

const (
	signInCookie = "aula_signin"
	langCookie   = "aula_lang"
	flashCookie  = "aula_flash"
	// deviceCookie holds the token that lets a browser known to an account sign in to it
	// while strangers' failures hold the account's or the address's limit (store.LoginLimits).
	deviceCookie = "aula_device"
)

// cookieName adds the __Host- prefix when Aula is served over HTTPS: the browser then
// refuses the cookie unless it is Secure, host-only and for the whole site.
func (a *App) cookieName(name string) string {
	if a.secure {
		return "__Host-" + name
	}
	return name
}

func (a *App) setCookie(c *gin.Context, name, value string, maxAge int) {
	http.SetCookie(c.Writer, &http.Cookie{
		Name: a.cookieName(name), Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: a.secure, SameSite: http.SameSiteLaxMode,
	})
}

func (a *App) clearCookie(c *gin.Context, name string) { a.setCookie(c, name, "", -1) }

// setFlash leaves a message (a translation key) for the next page the user sees.
func (a *App) setFlash(c *gin.Context, key string) { a.setCookie(c, flashCookie, key, 120) }

func (a *App) takeFlash(c *gin.Context) string {
	cookie, err := c.Request.Cookie(a.cookieName(flashCookie))
	if err != nil || cookie.Value == "" {
		return ""
	}
	a.clearCookie(c, flashCookie)
	if !strings.HasPrefix(cookie.Value, "flash.") {
		return ""
	}
	return cookie.Value
}

// safeNext keeps a redirect target on this site.
// Browsers drop tabs and newlines from URLs, so "/\t/evil.example" would become "//evil.example":
// any control character refuses the target.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, `/\`) ||
		strings.ContainsFunc(next, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return "/"
	}
	return next
}

func urlQueryEscape(s string) string { return url.QueryEscape(s) }
