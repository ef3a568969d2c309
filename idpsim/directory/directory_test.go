package directory_test

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"

	"github.com/ssoharness/ssoharness/idpsim/directory"
)

// fakeClock is a settable clock for one test.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func openStore(t *testing.T) (*directory.Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "idpsim.db")
	s, err := directory.Open(context.Background(), path, directory.WithBcryptCost(bcrypt.MinCost))
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	return s, path
}

// A test credential: the directory stores PEM text and does not parse it.
var testCred = struct{ key, cert string }{"-----BEGIN PRIVATE KEY-----\nx\n-----END PRIVATE KEY-----\n", "-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n"}

func newCatalog(spBase, integrationID string) directory.NewApp {
	return directory.NewApp{
		Kind: directory.KindCatalog, Name: directory.CatalogAppName, Label: "Reference SP",
		Settings:      directory.Settings{SPBaseURL: spBase, IntegrationID: integrationID},
		PrivateKeyPEM: testCred.key, CertificatePEM: testCred.cert,
	}
}

func TestIDShapes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		prefix string
		re     string
	}{
		{directory.PrefixUser, `^00u[A-Za-z0-9]{17}$`},
		{directory.PrefixGroup, `^00g[A-Za-z0-9]{17}$`},
		{directory.PrefixApp, `^0oa[A-Za-z0-9]{17}$`},
		{directory.PrefixAppKey, `^exk[A-Za-z0-9]{17}$`},
		{directory.PrefixAppLink, `^aln[A-Za-z0-9]{17}$`},
	}
	for _, tt := range tests {
		t.Run(tt.prefix, func(t *testing.T) {
			seen := map[string]bool{}
			for range 200 {
				id := directory.NewID(tt.prefix)
				assert.Regexp(t, tt.re, id)
				assert.False(t, seen[id], "duplicate id %s", id)
				seen[id] = true
			}
		})
	}
}

func TestOpenTwiceKeepsData(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, path := openStore(t)
	u, err := s.CreateUser(ctx, directory.NewUser{Login: "ada@acme.test", FirstName: "Ada", LastName: "Lovelace"})
	require.NoError(t, err)

	// A second Open on the same file finds the migrations applied and the data there.
	s2, err := directory.Open(ctx, path)
	require.NoError(t, err)
	defer s2.Close()
	got, err := s2.UserByID(ctx, u.ID)
	require.NoError(t, err)
	assert.Equal(t, "ada@acme.test", got.Login)

	db, err := sql.Open("sqlite", path)
	require.NoError(t, err)
	defer db.Close()
	var n int
	require.NoError(t, db.QueryRow(`SELECT count(*) FROM schema_migrations`).Scan(&n))
	files, err := filepath.Glob("migrations/*.sql")
	require.NoError(t, err)
	assert.Equal(t, len(files), n, "each migration applied once")
}

func TestUsers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _ := openStore(t)
	clk := &fakeClock{t: time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)}
	s = s.WithClock(clk.Now)

	u, err := s.CreateUser(ctx, directory.NewUser{Login: "Ada@Acme.test", FirstName: "Ada", LastName: "Lovelace", Password: "pw-1"})
	require.NoError(t, err)
	assert.Regexp(t, `^00u[A-Za-z0-9]{17}$`, u.ID)
	assert.Equal(t, "Ada@Acme.test", u.Login)
	assert.Equal(t, "Ada@Acme.test", u.Email, "email defaults to the login")
	assert.Equal(t, directory.StatusActive, u.Status)
	assert.Equal(t, clk.Now(), u.Created)

	t.Run("logins are unique case-insensitively", func(t *testing.T) {
		_, err := s.CreateUser(ctx, directory.NewUser{Login: "ada@acme.TEST", FirstName: "A", LastName: "L"})
		assert.ErrorIs(t, err, directory.ErrConflict)
		got, err := s.UserByLogin(ctx, "ADA@ACME.TEST")
		require.NoError(t, err)
		assert.Equal(t, u.ID, got.ID)
	})

	t.Run("invalid input", func(t *testing.T) {
		for _, in := range []directory.NewUser{
			{Login: "", FirstName: "A", LastName: "B"},
			{Login: "not-an-email", FirstName: "A", LastName: "B"},
			{Login: "Ada <a@b.test>", FirstName: "A", LastName: "B"},
			{Login: "x@acme.test", FirstName: " ", LastName: "B"},
			{Login: "x@acme.test", FirstName: "A", LastName: ""},
			{Login: "x@acme.test", FirstName: "A", LastName: "B", Status: "ASLEEP"},
		} {
			_, err := s.CreateUser(ctx, in)
			assert.ErrorIs(t, err, directory.ErrInvalid, "%+v", in)
		}
	})

	t.Run("check password", func(t *testing.T) {
		tests := []struct {
			login, password string
			ok              bool
		}{
			{"ada@acme.test", "pw-1", true},
			{"ADA@acme.test", "pw-1", true},
			{"ada@acme.test", "pw-2", false},
			{"ada@acme.test", "", false},
			{"nobody@acme.test", "pw-1", false},
		}
		for _, tt := range tests {
			got, err := s.CheckPassword(ctx, tt.login, tt.password)
			if tt.ok {
				require.NoError(t, err)
				assert.Equal(t, u.ID, got.ID)
			} else {
				assert.ErrorIs(t, err, directory.ErrBadCredentials, "%s/%s", tt.login, tt.password)
			}
		}
	})

	t.Run("update", func(t *testing.T) {
		clk.Add(time.Minute)
		first, pw, st := "Augusta", "pw-new", directory.StatusSuspended
		got, err := s.UpdateUser(ctx, u.ID, directory.UserUpdate{FirstName: &first, Password: &pw, Status: &st})
		require.NoError(t, err)
		assert.Equal(t, "Augusta", got.FirstName)
		assert.Equal(t, directory.StatusSuspended, got.Status)
		assert.Equal(t, clk.Now(), got.LastUpdated)
		assert.Equal(t, u.Created, got.Created)
		_, err = s.CheckPassword(ctx, "ada@acme.test", "pw-new")
		assert.NoError(t, err, "CheckPassword does not judge the status")
		_, err = s.UpdateUser(ctx, "00uNOPE", directory.UserUpdate{FirstName: &first})
		assert.ErrorIs(t, err, directory.ErrNotFound)
	})

	t.Run("a user without a password cannot sign in", func(t *testing.T) {
		_, err := s.CreateUser(ctx, directory.NewUser{Login: "nopw@acme.test", FirstName: "N", LastName: "P"})
		require.NoError(t, err)
		_, err = s.CheckPassword(ctx, "nopw@acme.test", "")
		assert.ErrorIs(t, err, directory.ErrBadCredentials)
	})
}

func TestApps(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _ := openStore(t)

	a, err := s.CreateApp(ctx, newCatalog("http://127.0.0.1:8080/", "abc123"))
	require.NoError(t, err)
	assert.Regexp(t, `^0oa[A-Za-z0-9]{17}$`, a.ID)
	assert.Regexp(t, `^exk[A-Za-z0-9]{17}$`, a.KeyID)
	assert.Regexp(t, `^aln[A-Za-z0-9]{17}$`, a.LinkID)
	assert.Equal(t, "http://127.0.0.1:8080", a.Settings.SPBaseURL, "trailing slash dropped")
	assert.Equal(t, "http://127.0.0.1:8080/sso/okta/abc123/acs", a.ACSURL())
	assert.Equal(t, "http://127.0.0.1:8080/sso/okta/abc123", a.Audience())
	assert.Equal(t, directory.NameIDEmail, a.NameIDFormat())
	assert.Equal(t, directory.DefaultSignOn(), a.SignOn)
	assert.Len(t, a.AttributeStatements(), 3)

	got, err := s.AppByKeyID(ctx, a.KeyID)
	require.NoError(t, err)
	assert.Equal(t, a, got)

	err = s.Update(ctx, func(tx *directory.Tx) error {
		found, err := tx.FindCatalogApp(ctx, "http://127.0.0.1:8080", "abc123")
		require.NoError(t, err)
		assert.Equal(t, a.ID, found.ID)
		_, err = tx.FindCatalogApp(ctx, "http://127.0.0.1:9090", "abc123")
		assert.ErrorIs(t, err, directory.ErrNotFound, "the SP base URL must match too")

		n1, err := tx.NextAppName(ctx, "org_mysp")
		require.NoError(t, err)
		assert.Equal(t, "org_mysp_1", n1)
		_, err = tx.CreateApp(ctx, directory.NewApp{
			Kind: directory.KindSAML, Name: n1, Label: "My SP",
			Settings:      directory.Settings{ACSURL: "https://sp.example/acs", Audience: "https://sp.example"},
			PrivateKeyPEM: testCred.key, CertificatePEM: testCred.cert,
		})
		require.NoError(t, err)
		n2, err := tx.NextAppName(ctx, "org_mysp")
		require.NoError(t, err)
		assert.Equal(t, "org_mysp_2", n2)

		saml, err := tx.FindSAMLAppByLabel(ctx, "My SP")
		require.NoError(t, err)
		assert.Equal(t, directory.NameIDUnspecified, saml.NameIDFormat())
		assert.Equal(t, "https://sp.example/acs", saml.ACSURL())

		label := "Renamed"
		signOn := directory.SignOn{ResponseSigned: false, AssertionSigned: true, DefaultRelayState: "/start"}
		upd, err := tx.UpdateApp(ctx, saml.ID, directory.AppUpdate{Label: &label, SignOn: &signOn})
		require.NoError(t, err)
		assert.Equal(t, "Renamed", upd.Label)
		assert.Equal(t, saml.KeyID, upd.KeyID, "the key never changes")
		assert.False(t, upd.SignOn.ResponseSigned)
		assert.Equal(t, directory.SignatureRSASHA256, upd.SignOn.SignatureAlgorithm, "default algorithm filled in")
		return nil
	})
	require.NoError(t, err)

	apps, err := s.ListApps(ctx)
	require.NoError(t, err)
	assert.Len(t, apps, 2)
}

func TestSettingsValidation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		kind  directory.AppKind
		in    directory.Settings
		field string
	}{
		{"catalog without base URL", directory.KindCatalog, directory.Settings{IntegrationID: "a"}, "spBaseURL"},
		{"catalog relative base URL", directory.KindCatalog, directory.Settings{SPBaseURL: "/sp", IntegrationID: "a"}, "spBaseURL"},
		{"catalog ftp base URL", directory.KindCatalog, directory.Settings{SPBaseURL: "ftp://sp", IntegrationID: "a"}, "spBaseURL"},
		{"catalog without integration id", directory.KindCatalog, directory.Settings{SPBaseURL: "http://sp"}, "integrationId"},
		{"catalog integration id with slash", directory.KindCatalog, directory.Settings{SPBaseURL: "http://sp", IntegrationID: "a/b"}, "integrationId"},
		{"saml without ACS", directory.KindSAML, directory.Settings{Audience: "x"}, "acsURL"},
		{"saml ACS with fragment", directory.KindSAML, directory.Settings{ACSURL: "https://sp/acs#x", Audience: "x"}, "acsURL"},
		{"saml without audience", directory.KindSAML, directory.Settings{ACSURL: "https://sp/acs"}, "audience"},
		{"saml bad NameID format", directory.KindSAML, directory.Settings{ACSURL: "https://sp/acs", Audience: "x", NameIDFormat: "x509"}, "nameIDFormat"},
		{"saml attribute without name", directory.KindSAML, directory.Settings{ACSURL: "https://sp/acs", Audience: "x",
			Attributes: []directory.AttributeStatement{{Value: "user.email"}}}, "attributes[0].name"},
		{"saml attribute bad expression", directory.KindSAML, directory.Settings{ACSURL: "https://sp/acs", Audience: "x",
			Attributes: []directory.AttributeStatement{{Name: "a", Value: "user.email"}, {Name: "b", Value: "user.ssn"}}}, "attributes[1].value"},
		{"saml attribute bad name format", directory.KindSAML, directory.Settings{ACSURL: "https://sp/acs", Audience: "x",
			Attributes: []directory.AttributeStatement{{Name: "a", NameFormat: "weird", Value: "user.email"}}}, "attributes[0].nameFormat"},
		{"unknown kind", "oidc", directory.Settings{}, "kind"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := directory.NormalizeSettings(tt.kind, tt.in)
			require.ErrorIs(t, err, directory.ErrInvalid)
			var fe *directory.FieldError
			require.True(t, errors.As(err, &fe))
			assert.Equal(t, tt.field, fe.Field)
		})
	}

	t.Run("accepts full URIs and fills defaults", func(t *testing.T) {
		got, err := directory.NormalizeSettings(directory.KindSAML, directory.Settings{
			ACSURL: " https://sp/acs ", Audience: "urn:sp",
			NameIDFormat: "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent",
			Attributes: []directory.AttributeStatement{
				{Name: "mail", Value: "user.email"},
				{Name: "uid", NameFormat: "urn:oasis:names:tc:SAML:2.0:attrname-format:uri", Value: "user.login"},
			},
		})
		require.NoError(t, err)
		assert.Equal(t, "https://sp/acs", got.ACSURL)
		assert.Equal(t, directory.NameIDPersistent, got.NameIDFormat)
		assert.Equal(t, "unspecified", got.Attributes[0].NameFormat)
		assert.Equal(t, "uri", got.Attributes[1].NameFormat)
	})
}

func TestAssignments(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _ := openStore(t)
	u, err := s.CreateUser(ctx, directory.NewUser{Login: "ada@acme.test", FirstName: "Ada", LastName: "Lovelace"})
	require.NoError(t, err)
	a, err := s.CreateApp(ctx, newCatalog("http://sp", "i1"))
	require.NoError(t, err)

	require.NoError(t, s.Assign(ctx, a.ID, u.ID))
	require.NoError(t, s.Assign(ctx, a.ID, u.ID), "assigning twice is fine")
	ok, err := s.IsAssigned(ctx, a.ID, u.ID)
	require.NoError(t, err)
	assert.True(t, ok)
	apps, err := s.ListAppsForUser(ctx, u.ID)
	require.NoError(t, err)
	require.Len(t, apps, 1)
	assert.Equal(t, a.ID, apps[0].ID)
	users, err := s.ListAssignedUsers(ctx, a.ID)
	require.NoError(t, err)
	require.Len(t, users, 1)

	assert.ErrorIs(t, s.Assign(ctx, "0oaNOPE", u.ID), directory.ErrNotFound)
	assert.ErrorIs(t, s.Assign(ctx, a.ID, "00uNOPE"), directory.ErrNotFound)

	require.NoError(t, s.Unassign(ctx, a.ID, u.ID))
	require.NoError(t, s.Unassign(ctx, a.ID, u.ID), "unassigning twice is fine")
	ok, err = s.IsAssigned(ctx, a.ID, u.ID)
	require.NoError(t, err)
	assert.False(t, ok)
}

func TestSessions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, path := openStore(t)
	clk := &fakeClock{t: time.Date(2024, 1, 1, 12, 0, 0, 0, time.UTC)}
	s = s.WithClock(clk.Now)
	u, err := s.CreateUser(ctx, directory.NewUser{Login: "ada@acme.test", FirstName: "Ada", LastName: "Lovelace"})
	require.NoError(t, err)

	token, sess, err := s.CreateSession(ctx, u.ID, time.Hour)
	require.NoError(t, err)
	assert.Regexp(t, `^102[A-Za-z0-9]{17}$`, sess.ID)
	assert.Equal(t, clk.Now(), sess.AuthnAt)

	got, err := s.SessionByToken(ctx, token)
	require.NoError(t, err)
	assert.Equal(t, sess, got)
	_, err = s.SessionByToken(ctx, token+"x")
	assert.ErrorIs(t, err, directory.ErrNotFound)

	// Only a hash of the cookie value is stored.
	db, err := sql.Open("sqlite", path)
	require.NoError(t, err)
	defer db.Close()
	var stored string
	require.NoError(t, db.QueryRow(`SELECT token_hash FROM sessions`).Scan(&stored))
	assert.NotEqual(t, token, stored)
	assert.NotContains(t, stored, token)

	clk.Add(time.Hour)
	_, err = s.SessionByToken(ctx, token)
	assert.ErrorIs(t, err, directory.ErrNotFound, "expired at the clock's hour")

	token2, _, err := s.CreateSession(ctx, u.ID, time.Hour)
	require.NoError(t, err)
	require.NoError(t, s.DeleteSession(ctx, token2))
	_, err = s.SessionByToken(ctx, token2)
	assert.ErrorIs(t, err, directory.ErrNotFound)
}

func TestUpdateIsAtomicAndResetEmpties(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _ := openStore(t)
	boom := errors.New("boom")
	err := s.Update(ctx, func(tx *directory.Tx) error {
		_, err := tx.CreateUser(ctx, directory.NewUser{Login: "ada@acme.test", FirstName: "Ada", LastName: "Lovelace"})
		require.NoError(t, err)
		return boom
	})
	assert.ErrorIs(t, err, boom)
	_, err = s.UserByLogin(ctx, "ada@acme.test")
	assert.ErrorIs(t, err, directory.ErrNotFound, "rolled back")

	u, err := s.CreateUser(ctx, directory.NewUser{Login: "ada@acme.test", FirstName: "Ada", LastName: "Lovelace"})
	require.NoError(t, err)
	a, err := s.CreateApp(ctx, newCatalog("http://sp", "i1"))
	require.NoError(t, err)
	require.NoError(t, s.Assign(ctx, a.ID, u.ID))
	_, _, err = s.CreateSession(ctx, u.ID, time.Hour)
	require.NoError(t, err)

	require.NoError(t, s.Reset(ctx))
	users, err := s.ListUsers(ctx)
	require.NoError(t, err)
	assert.Empty(t, users)
	apps, err := s.ListApps(ctx)
	require.NoError(t, err)
	assert.Empty(t, apps)
}

func TestConcurrentWriters(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _ := openStore(t)
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := s.CreateUser(ctx, directory.NewUser{Login: "u" + string(rune('a'+i)) + "@acme.test", FirstName: "U", LastName: "V"})
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		assert.NoError(t, err)
	}
	users, err := s.ListUsers(ctx)
	require.NoError(t, err)
	assert.Len(t, users, 20)
}
