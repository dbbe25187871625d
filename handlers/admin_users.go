package handlers

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/aula-school/aula/courses"
	"github.com/aula-school/aula/store"
	"github.com/gin-gonic/gin"
)

const usersPerPage = 50

type usersPage struct {
	Users      []courses.User
	Total      int
	Query      string
	Role       string
	Page       int
	PrevURL    string
	NextURL    string
	FirstShown int
	LastShown  int
}

func (a *App) listUsers(c *gin.Context) {
	q := c.Query("q")
	role := courses.Role(c.Query("role"))
	if !role.Valid() {
		role = ""
	}
	page, err := strconv.Atoi(c.Query("page"))
	if err != nil || page < 1 || page > maxPage {
		page = 1
	}
	if utf8.RuneCountInString(q) > courses.MaxSearchLength {
		v := a.newView(c, usersPage{Query: q, Role: string(role), Page: 1})
		v.Form = &form{Values: map[string]string{"q": q}, Errors: courses.FieldErrors{"q": "error.search.too_long"}}
		a.render(c, http.StatusUnprocessableEntity, "admin_users", v)
		return
	}
	users, total, err := a.Store.ListUsers(c.Request.Context(), store.UserFilter{
		Query: q, Role: role, Offset: (page - 1) * usersPerPage, Limit: usersPerPage,
	})
	if err != nil {
		a.fail(c, err)
		return
	}
	data := usersPage{Users: users, Total: total, Query: q, Role: string(role), Page: page}
	link := func(p int) string {
		v := url.Values{}
		if q != "" {
			v.Set("q", q)
		}
		if role != "" {
			v.Set("role", string(role))
		}
		v.Set("page", strconv.Itoa(p))
		return "/admin/users?" + v.Encode()
	}
	if page > 1 {
		data.PrevURL = link(page - 1)
	}
	if page*usersPerPage < total {
		data.NextURL = link(page + 1)
	}
	if len(users) > 0 {
		data.FirstShown = (page-1)*usersPerPage + 1
		data.LastShown = data.FirstShown + len(users) - 1
	}
	a.render(c, http.StatusOK, "admin_users", a.newView(c, data))
}

func (a *App) showUser(c *gin.Context) {
	id, ok := paramID(c, "id")
	if !ok {
		a.notFound(c)
		return
	}
	u, err := a.Store.User(c.Request.Context(), id)
	if err != nil {
		a.fail(c, err)
		return
	}
	a.render(c, http.StatusOK, "admin_user", a.newView(c, adminUserPage{User: u}))
}

type adminUserPage struct {
	User courses.User
	Link string // a one-time password link just made, shown once
}

// passwordLink makes a new one-time link with which the user sets a password: for accounts
// created by bulk enrolment whose link expired, and for people who forgot theirs.
func (a *App) passwordLink(c *gin.Context) {
	id, ok := paramID(c, "id")
	if !ok {
		a.notFound(c)
		return
	}
	ctx := c.Request.Context()
	u, err := a.Store.User(ctx, id)
	if err != nil {
		a.fail(c, err)
		return
	}
	token, err := a.Store.PasswordLink(ctx, actor(c), u.ID, a.now())
	if err != nil {
		a.fail(c, err)
		return
	}
	link := strings.TrimSuffix(a.Config.BaseURL.String(), "/") + "/password/set?token=" + token
	a.render(c, http.StatusOK, "admin_user", a.newView(c, adminUserPage{User: u, Link: link}))
}

// changeRole gives a user another role and ends their sessions: they sign in again, with a
// new session id, to act with the new role. An admin cannot change their own role.
func (a *App) changeRole(c *gin.Context) {
	a.changeUser(c, func(id int64) (string, error) {
		role := courses.Role(c.PostForm("role"))
		if !role.Valid() {
			return "flash.error.role_invalid", nil
		}
		if err := a.Store.SetRole(c.Request.Context(), actor(c), id, role); err != nil {
			return "", err
		}
		return "flash.role_changed", a.SignIns.DestroyAll(c.Request.Context(), id)
	})
}

// changeActive deactivates (ending every session at once) or reactivates an account.
func (a *App) changeActive(c *gin.Context) {
	a.changeUser(c, func(id int64) (string, error) {
		active := c.PostForm("active") == "true"
		if err := a.Store.SetActive(c.Request.Context(), actor(c), id, active); err != nil {
			return "", err
		}
		if active {
			return "flash.user_reactivated", nil
		}
		return "flash.user_deactivated", a.SignIns.DestroyAll(c.Request.Context(), id)
	})
}

func (a *App) changeUser(c *gin.Context, change func(id int64) (string, error)) {
	id, ok := paramID(c, "id")
	if !ok {
		a.notFound(c)
		return
	}
	if _, err := a.Store.User(c.Request.Context(), id); err != nil {
		a.fail(c, err)
		return
	}
	back := "/admin/users/" + strconv.FormatInt(id, 10)
	if id == currentUser(c).ID {
		a.setFlash(c, "flash.error.not_yourself")
		c.Redirect(http.StatusSeeOther, back)
		return
	}
	flash, err := change(id)
	if err != nil {
		a.fail(c, err)
		return
	}
	a.setFlash(c, flash)
	c.Redirect(http.StatusSeeOther, back)
}
