package handlers

// pager is a list page's way to its neighbours and what it shows: "51–100 of 230".
type pager struct {
	PrevURL, NextURL      string
	FirstShown, LastShown int
}

// newPager pages a list of total items, per to a page, of which page shows shown; link makes
// the address of another page with the same search.
func newPager(page, per, total, shown int, link func(page int) string) pager {
	var p pager
	if page > 1 {
		p.PrevURL = link(page - 1)
	}
	if page*per < total {
		p.NextURL = link(page + 1)
	}
	if shown > 0 {
		p.FirstShown = (page-1)*per + 1
		p.LastShown = p.FirstShown + shown - 1
	}
	return p
}
