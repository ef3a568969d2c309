package idpsim_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ssoharness/ssoharness/idpsim"
	"github.com/ssoharness/ssoharness/idpsim/directory"
)

// Config.NewKey supplies app keys; its failure fails the app's creation and
// saves nothing.
func TestNewKeySuppliesAppKeys(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	fail := false
	dir, err := directory.Open(ctx, filepath.Join(t.TempDir(), "idpsim.db"))
	require.NoError(t, err)
	t.Cleanup(func() { dir.Close() })
	srv, err := idpsim.New(idpsim.Config{BaseURL: "http://127.0.0.1:1", Directory: dir,
		NewKey: func() (*rsa.PrivateKey, error) {
			if fail {
				return nil, errors.New("no keys left")
			}
			return key, nil
		}})
	require.NoError(t, err)

	app, err := srv.CreateCatalogApp(ctx, idpsim.CatalogAppInput{Label: "Reference SP", SPBaseURL: "http://sp.test", IntegrationID: "abc"})
	require.NoError(t, err)
	block, _ := pem.Decode([]byte(app.CertificatePEM))
	require.NotNil(t, block)
	cert, err := x509.ParseCertificate(block.Bytes)
	require.NoError(t, err)
	assert.True(t, key.PublicKey.Equal(cert.PublicKey), "the certificate carries the supplied key")

	fail = true
	_, err = srv.CreateCatalogApp(ctx, idpsim.CatalogAppInput{Label: "Other", SPBaseURL: "http://sp.test", IntegrationID: "def"})
	require.ErrorContains(t, err, "no keys left")
	apps, err := srv.ListApps(ctx)
	require.NoError(t, err)
	assert.Len(t, apps, 1, "nothing saved for the failed app")
}
