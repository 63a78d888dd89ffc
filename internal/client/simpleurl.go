package client

import "net/url"

// simpleURL parses raw as url.Parse would, without its general machinery,
// when raw is an http(s) origin followed by a path of unreserved
// characters and slashes: the shape of every per-row request URL. For
// anything else (a query, an escape, user info, an IPv6 host) it reports
// false and the caller parses raw the general way.
func simpleURL(raw string) (url.URL, bool) {
	var scheme, rest string
	switch {
	case len(raw) > len("https://") && raw[:len("https://")] == "https://":
		scheme, rest = "https", raw[len("https://"):]
	case len(raw) > len("http://") && raw[:len("http://")] == "http://":
		scheme, rest = "http", raw[len("http://"):]
	default:
		return url.URL{}, false
	}
	slash := -1
	colon := -1
	for i := 0; i < len(rest); i++ {
		c := rest[i]
		if c == '/' {
			slash = i
			break
		}
		switch {
		case c == ':':
			if colon >= 0 {
				return url.URL{}, false
			}
			colon = i
		case colon >= 0:
			if c < '0' || c > '9' {
				return url.URL{}, false
			}
		case !isHostByte(c):
			return url.URL{}, false
		}
	}
	if slash <= 0 || colon == 0 || colon == slash-1 {
		return url.URL{}, false
	}
	host, path := rest[:slash], rest[slash:]
	for i := 0; i < len(path); i++ {
		if c := path[i]; c != '/' && !isUnreservedByte(c) {
			return url.URL{}, false
		}
	}
	return url.URL{Scheme: scheme, Host: host, Path: path}, true
}

// isHostByte reports whether c may appear in a registered host name.
func isHostByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.'
}

// isUnreservedByte reports whether c is unreserved in RFC 3986.
func isUnreservedByte(c byte) bool {
	return isHostByte(c) || c == '_' || c == '~'
}
