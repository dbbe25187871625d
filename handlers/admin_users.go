package handlers

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"unicode/utf8"

	"github.com/aula-school/aula/courses"
	"github.com/aula-school/aula/store"
	"github.com/gin-gonic/gin"
)

const usersPerPage = 50

// userStatuses are the users list's status filter's choices.
var userStatuses = []string{"active", "deactivated"}

// usersFilter is the users list's filter as the address says it. Values no page sends (an
// unknown role, country, sector or status) are ignored, as the certificate register does.
type usersFilter struct {
	Query, Role, Country, Sector, Status string
	Page                                 int
}

func usersFilterOf(c *gin.Context) usersFilter {
	f := usersFilter{Query: c.Query("q"), Role: c.Query("role"), Country: c.Query("country"), Sector: c.Query("sector"),
		Status: c.Query("status"), Page: 1}
	if !courses.Role(f.Role).Valid() {
		f.Role = ""
	}
	if !courses.ValidCountry(f.Country) {
		f.Country = ""
	}
	if !slices.Contains(courses.Sectors, courses.Sector(f.Sector)) {
		f.Sector = ""
	}
	if !slices.Contains(userStatuses, f.Status) {
		f.Status = ""
	}
	if p, err := strconv.Atoi(c.Query("page")); err == nil && p >= 1 && p <= maxPage {
		f.Page = p
	}
	return f
}

// query writes the filter back as an address's query, for the pager.
func (f usersFilter) query(page int) string {
	v := url.Values{}
	for k, s := range map[string]string{"q": f.Query, "role": f.Role, "country": f.Country, "sector": f.Sector, "status": f.Status} {
		if s != "" {
			v.Set(k, s)
		}
	}
	if page > 1 {
		v.Set("page", strconv.Itoa(page))
	}
	return v.Encode()
}

func (f usersFilter) store() store.UserFilter {
	sf := store.UserFilter{Query: f.Query, Role: courses.Role(f.Role), Country: f.Country, Sector: courses.Sector(f.Sector),
		Offset: (f.Page - 1) * usersPerPage, Limit: usersPerPage}
	if f.Status != "" {
		active := f.Status == "active"
		sf.Active = &active
	}
	return sf
}

type usersPage struct {
	Filter   usersFilter
	Statuses []string
	Users    []courses.User
	Total    int
	pager
}

// Filtered says whether any filter narrows the list, for the page to offer clearing them.
func (p usersPage) Filtered() bool { return p.Filter.query(0) != "" }

func (a *App) listUsers(c *gin.Context) {
	f := usersFilterOf(c)
	data := usersPage{Filter: f, Statuses: userStatuses}
	if utf8.RuneCountInString(f.Query) > courses.MaxSearchLength {
		data.Filter.Page = 1
		v := a.newView(c, data)
		v.Form = &form{Values: map[string]string{"q": f.Query}, Errors: courses.FieldErrors{"q": "error.search.too_long"}}
		a.render(c, http.StatusUnprocessableEntity, "admin_users", v)
		return
	}
	users, total, err := a.Store.ListUsers(c.Request.Context(), f.store())
	if err != nil {
		a.fail(c, err)
		return
	}
	data.Users, data.Total = users, total
	data.pager = newPager(f.Page, usersPerPage, total, len(users), func(p int) string { return "/admin/users?" + f.query(p) })
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
	a.renderUser(c, adminUserPage{User: u})
}

type adminUserPage struct {
	User      courses.User
	TwoFactor courses.TwoFactor
}

// renderUser shows an account's page, with where its second factor stands.
func (a *App) renderUser(c *gin.Context, p adminUserPage) {
	var err error
	if p.TwoFactor, err = a.Store.TwoFactor(c.Request.Context(), p.User.ID); err != nil {
		a.fail(c, err)
		return
	}
	a.render(c, http.StatusOK, "admin_user", a.newView(c, p))
}

// passwordLink emails the user a new one-time link with which they set a password: for
// accounts created by bulk enrolment whose link expired, and for people who forgot theirs.
// The administrator does not see the link: it is the account's password until used.
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
	if _, err := a.Store.PasswordLink(ctx, actor(c), u.ID, a.now()); err != nil {
		a.fail(c, err)
		return
	}
	a.setFlash(c, "flash.password_link_sent")
	c.Redirect(http.StatusSeeOther, "/admin/users/"+strconv.FormatInt(u.ID, 10))
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
