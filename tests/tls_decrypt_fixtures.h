/* Decryption vectors for check_tls_decrypt.c: whole protected records with
 * the secrets and hello randoms they need, and the plaintext tshark 4.x
 * shows for them with the same key log (-o tls.keylog_file, "Decrypted TLS"
 * data source).
 *
 * "captures/..." vectors were cut from this repository's captures as they
 * stood when this file was written. The "openssl s_client" ones came from a
 * loopback run recorded with tcpdump: `openssl s_server -rev -naccept 1
 * -no_ticket <opts>` and `printf 'hello tlsdiag\n' | openssl s_client
 * -keylogfile K -quiet -no_ign_eof <opts>` (OpenSSL 3.0.19), so the client
 * sends "hello tlsdiag\n" and the server answers it reversed. Only records
 * after each side's ChangeCipherSpec (TLS <= 1.2) or of type
 * application_data (TLS 1.3) are listed, in stream order per side; records
 * over 600 bytes are left out (skip = body length) and counted with
 * tlsd_decrypt_skip() to keep sequence numbers right. */
#ifndef TLSD_TESTS_TLS_DECRYPT_FIXTURES_H
#define TLSD_TESTS_TLS_DECRYPT_FIXTURES_H

#include "tlsd/common.h"

struct dec_rec {
	enum tlsd_dir dir;
	uint8_t type;       /* expected (inner) content type */
	uint16_t skip;      /* not kept: body length */
	const char *rec;    /* the whole record, header included */
	const char *plain;  /* expected plaintext */
};

struct dec_vec {
	const char *name;
	uint16_t version, suite;
	bool etm;
	const char *client_random, *server_random;
	const char *keylog;
	size_t n_recs;
	struct dec_rec recs[10];
};

static const struct dec_vec dec_vecs[] = {
	/* captures/tls12_ok.pcap (OpenSSL 3.0, TLS 1.2 ECDHE-RSA-AES256-GCM-SHA384: P_SHA384) */
	{
		.name = "tls12_ok",
		.version = 0x0303, .suite = 0xc030, .etm = false,
		.client_random = "d350170d69404aa45bcac150f9a20a91c4c263e544b350f10790d67628b54b9a",
		.server_random = "baaf3e79ac527ada1137c40fcd25fe6f196c32e21da06d7c34c920e2c14f5cf7",
		.keylog =
			"CLIENT_RANDOM d350170d69404aa45bcac150f9a20a91c4c263e544b350f10790d67628b54b9a c88ce2f08f6d8ec2998adf07e9b03a5d4d4db95848af4e841874a65a6928ac0c93bbeefea1d418844d36ae8e1168902b\n"
			,
		.n_recs = 6,
		.recs = {
			{.dir = TLSD_DIR_C2S, .type = 22, .rec =
				"1603030028b8f844df7bdcfd284611e34b1a628ea7b39007adbc1a76142c1740c3be1a47a53f8583eb33477851",
			 .plain =
				"1400000c7942f339e73de111fc3cce1a"},
			{.dir = TLSD_DIR_C2S, .type = 23, .rec =
				"170303004eb8f844df7bdcfd29c84a35fb7ef4f0809ec99135762bc4a8f5635d8b1a0127bfdc72a3056aa89559c89cb6"
				"8675c596d9e524b456f03118c568254a4ec25241e416b7ff629e5bb0bf2e360954254e",
			 .plain =
				"474554202f68656c6c6f2e74787420485454502f312e300d0a486f73743a207365727665722e746c73646961672e7465"
				"73740d0a0d0a"},
			{.dir = TLSD_DIR_C2S, .type = 21, .rec =
				"150303001ab8f844df7bdcfd2a9707cd0a5ec59e6b7a953e81bdfb4e65cd64",
			 .plain =
				"0100"},
			{.dir = TLSD_DIR_S2C, .type = 22, .rec =
				"16030300285d2159605095c138283c6717ff455f13a9833c11d1497ecf5f0e5b5b3bc1a0d3b78914e55dab8392",
			 .plain =
				"1400000ca0d8e59a424edf1e9d636db0"},
			{.dir = TLSD_DIR_S2C, .type = 23, .rec =
				"17030300685d2159605095c139cf53319b165cf4681e396ac30aa2078e0bf8796f9dc768302b6df9828e6ed83c20acc2"
				"f549a7c5e7d20285b96086d1bd8f9b38ba70fd935200aab8274eaefec4ca869a109969a9db8063462185efff65172cb3"
				"ff46359a8deea52a386d48d09f",
			 .plain =
				"485454502f312e3020323030206f6b0d0a436f6e74656e742d747970653a20746578742f706c61696e0d0a0d0a68656c"
				"6c6f2066726f6d2074686520746c73646961672074657374207365727665720a"},
			{.dir = TLSD_DIR_S2C, .type = 21, .rec =
				"150303001a5d2159605095c13aa236c1ea33c277fe33a94ff13f6641591ca8",
			 .plain =
				"0100"},
		},
	},
	/* openssl s_client -tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256 (P_SHA256) */
	{
		.name = "tls12_gcm128",
		.version = 0x0303, .suite = 0xc02f, .etm = false,
		.client_random = "4a5c1635997d1e41e207733bd6ec0478019ac053eb0a0d568b31292fe343d9c2",
		.server_random = "9b9c2393a920853807a80c220e1caefa55c5621d4cdf818a3ce6318dfd554566",
		.keylog =
			"CLIENT_RANDOM 4a5c1635997d1e41e207733bd6ec0478019ac053eb0a0d568b31292fe343d9c2 851fe3b031882784a6027e7d013e3cbb6cf6478d1c657d6023a2eb38c6ee85c0a62ba9f1769ea72f3b2e65ce35bdbe42\n"
			,
		.n_recs = 4,
		.recs = {
			{.dir = TLSD_DIR_C2S, .type = 22, .rec =
				"160303002872ea69ac783107b4612faaa2fc6981451259e3f79e5f87cff54c76761404e6e610d34493443262a5",
			 .plain =
				"1400000c8bd2994ed39ca4d37ab9faf0"},
			{.dir = TLSD_DIR_C2S, .type = 23, .rec =
				"170303002672ea69ac783107b5d7f4cb01400a3196d20e6450d39d879de04e6a8b876a4bd2fcff60bc6f97",
			 .plain =
				"68656c6c6f20746c73646961670a"},
			{.dir = TLSD_DIR_S2C, .type = 22, .rec =
				"1603030028f37fa0902b787de01cf8ef4737530b7093c451a85881bdf59077e32c03b9a7c595b399a465cfd077",
			 .plain =
				"1400000cf3614e03968d92789edec797"},
			{.dir = TLSD_DIR_S2C, .type = 23, .rec =
				"1703030026f37fa0902b787de1e6f46a0c5861be511f88697065aaa2d97450bf88cd2b19e5baf691959c12",
			 .plain =
				"67616964736c74206f6c6c65680a"},
		},
	},
	/* openssl s_client -tls1_2 -cipher ECDHE-RSA-CHACHA20-POLY1305 (RFC 7905) */
	{
		.name = "tls12_chacha",
		.version = 0x0303, .suite = 0xcca8, .etm = false,
		.client_random = "351e73874e60919c95862de6da9805b8ed9a46cf82cb5c42b7d593a868ebb08b",
		.server_random = "5e7e4c1e4f5a4af2ca915f682c3c0456bbaadf8dfa760a5ab3b713ccccee98ec",
		.keylog =
			"CLIENT_RANDOM 351e73874e60919c95862de6da9805b8ed9a46cf82cb5c42b7d593a868ebb08b ad842f0a84faca0b762951332bf5eb62d229e7a88f71af442c5f935bbb2aa660302df3eabb31e62429c2ed1d63e14025\n"
			,
		.n_recs = 4,
		.recs = {
			{.dir = TLSD_DIR_C2S, .type = 22, .rec =
				"1603030020e07a317b59b9c54662e496d53508f4f910eac6d49e277d8bea1f14eee308dcde",
			 .plain =
				"1400000c8e650559251feb0d5ac94090"},
			{.dir = TLSD_DIR_C2S, .type = 23, .rec =
				"170303001e109f7ef49b9f7f06577d1b776a47f2ee5809f2daf863a65e0f23605bc04f",
			 .plain =
				"68656c6c6f20746c73646961670a"},
			{.dir = TLSD_DIR_S2C, .type = 22, .rec =
				"16030300204733a3a643e2cae684079356724936f4a4f2553626cd97a99d3478264ade146f",
			 .plain =
				"1400000cc84b1ccafde4637b8d2117e2"},
			{.dir = TLSD_DIR_S2C, .type = 23, .rec =
				"170303001eadfbed87b027fe7fd87ec3b1a8ede9ebc6c52ddbf62a0623aef5ed084535",
			 .plain =
				"67616964736c74206f6c6c65680a"},
		},
	},
	/* openssl s_client -tls1_2 -cipher AES128-CCM (RFC 6655) */
	{
		.name = "tls12_ccm",
		.version = 0x0303, .suite = 0xc09c, .etm = false,
		.client_random = "a48336c532ac40d5ab67ca0711acd54b39a7f1d3138defe5ab5e9cedbe6b0b0c",
		.server_random = "186fdc9ffb4d1eca88d8ec6284af476aceaf77edc836b0593a7059aed179ecfa",
		.keylog =
			"CLIENT_RANDOM a48336c532ac40d5ab67ca0711acd54b39a7f1d3138defe5ab5e9cedbe6b0b0c 323e51a4416170c7423a38134deb75739b7fadddc4ce6ddc18a19aa0e3e80351f0101b74a3628cd7db4d50eb72c50a18\n"
			,
		.n_recs = 4,
		.recs = {
			{.dir = TLSD_DIR_C2S, .type = 22, .rec =
				"1603030028000000000000000027c292484d3fbd2ac82aa9a6bc1a82cc8eb42ff21de98f5371a3c613b1e0f352",
			 .plain =
				"1400000c569334f53dfe888b2eaa0c7a"},
			{.dir = TLSD_DIR_C2S, .type = 23, .rec =
				"17030300260000000000000001de1935ec899e357523e7e0b2a386a1192fb43cbaa69dca5cd47444462b4b",
			 .plain =
				"68656c6c6f20746c73646961670a"},
			{.dir = TLSD_DIR_S2C, .type = 22, .rec =
				"1603030028000000000000000074b8d367ed11f6fef51b66008265718aa0fbdb2a6ec985347aae3348e9fef667",
			 .plain =
				"1400000c19f398ba1bc76a071bc9b8f7"},
			{.dir = TLSD_DIR_S2C, .type = 23, .rec =
				"1703030026000000000000000146fc74c565fbcf11de0cb1499c5045bda4cf9e3546e6c5feeea12ba545b6",
			 .plain =
				"67616964736c74206f6c6c65680a"},
		},
	},
	/* openssl s_client -tls1_2 -cipher AES128-CCM8 */
	{
		.name = "tls12_ccm8",
		.version = 0x0303, .suite = 0xc0a0, .etm = false,
		.client_random = "ea79cd34ab0884c1132b7654af983faf40ea72eb1031284e4d8d2f3d2054ffed",
		.server_random = "20781d2d3c3366f4e1e7d302a7836428cf0fb9d66201d354be4cbac425aedbd0",
		.keylog =
			"CLIENT_RANDOM ea79cd34ab0884c1132b7654af983faf40ea72eb1031284e4d8d2f3d2054ffed 7de1fe2403e54c433a5873226865873435e0509adbf1144309706bd728a3921a7caf368ff23b2092f8f9887873862b0d\n"
			,
		.n_recs = 4,
		.recs = {
			{.dir = TLSD_DIR_C2S, .type = 22, .rec =
				"160303002000000000000000001a34167a7f958523bcb25632a50024a09fdea20321b46058",
			 .plain =
				"1400000c8a677bcf92915201802ffbbb"},
			{.dir = TLSD_DIR_C2S, .type = 23, .rec =
				"170303001e0000000000000001319c97e4f76699bb652bc2c6a50f7ba5166ed03488a4",
			 .plain =
				"68656c6c6f20746c73646961670a"},
			{.dir = TLSD_DIR_S2C, .type = 22, .rec =
				"1603030020000000000000000022c60bfa1aef7a8a4d054a1c6a8cdae7ca5321a7d8e9695b",
			 .plain =
				"1400000c21723d7042e1cb9ee5bf411d"},
			{.dir = TLSD_DIR_S2C, .type = 23, .rec =
				"170303001e00000000000000016cc13d20a156e9458a63f6ade369a5f277e2958a4ad7",
			 .plain =
				"67616964736c74206f6c6c65680a"},
		},
	},
	/* openssl s_client -tls1_2 -cipher AES128-SHA256 -no_etm (CBC, MAC-then-encrypt) */
	{
		.name = "tls12_aes128_sha256_mte",
		.version = 0x0303, .suite = 0x003c, .etm = false,
		.client_random = "063c2ca70d22114b1913e8a88040b173d7e4162a172dcfe8e2c93f6d52dd9ed5",
		.server_random = "964d4f182f05cc94305dad6dd484de4c5d8b3e8cb4daf77fb57737dd7d3e12a3",
		.keylog =
			"CLIENT_RANDOM 063c2ca70d22114b1913e8a88040b173d7e4162a172dcfe8e2c93f6d52dd9ed5 113e613c7041db3b79f089091b1c5e50e6e4af541aceb5659d4bcd84b68c2b6f45cfb7a9afe24319bf9cf272a9707e32\n"
			,
		.n_recs = 4,
		.recs = {
			{.dir = TLSD_DIR_C2S, .type = 22, .rec =
				"1603030050827a59bcd5b3b50aec9ac9937011186c7d36ad9e2dc4501bee465ed6b6d486b4550a43c7db5ce0a0628ebc"
				"71a2c06c7d6cfa5853698790f1228ef69276c8ed716cda431faf3c31a801b7fb3d6798cdb1",
			 .plain =
				"1400000c02ecd11fcf61d300e4c1091a"},
			{.dir = TLSD_DIR_C2S, .type = 23, .rec =
				"17030300400dc35c932b578451f27ed9a525643f28e9cfe27a9fd06f9d9895e371752548249c03d4e9204202e94119b5"
				"384136d04b14b72566d58160e5f85b2c581bcd5b31",
			 .plain =
				"68656c6c6f20746c73646961670a"},
			{.dir = TLSD_DIR_S2C, .type = 22, .rec =
				"160303005000df56d32ec996f52b73de02b3ea7c902b994e307e48d2f3b9a3aa0d03940e5f92dab6193751f69fd3e22d"
				"dd061338b702be7186856e770a4a5f3970d4601179c1c0abc920f7802e145efc33a6a0ed1c",
			 .plain =
				"1400000c56830b7645f25760151a521e"},
			{.dir = TLSD_DIR_S2C, .type = 23, .rec =
				"1703030040348eacf79b6607851f08754f19151f4bf5aab43ea3440d5159313dd68adcc392465a91fc71dc03fb3d31d9"
				"8747ea0c737341bf97bf5075add6a32e6dd33516e6",
			 .plain =
				"67616964736c74206f6c6c65680a"},
		},
	},
	/* openssl s_client -tls1_2 -cipher AES256-SHA (CBC, encrypt_then_mac) */
	{
		.name = "tls12_aes256_sha_etm",
		.version = 0x0303, .suite = 0x0035, .etm = true,
		.client_random = "62b8e25e6c15eb40a3eab5d0170a8813b1d501f0f025c709dafb2d620bfa783e",
		.server_random = "16578906f8f0ead40d12597033c746253e569497ef7789baf4bfa6a05bda733b",
		.keylog =
			"CLIENT_RANDOM 62b8e25e6c15eb40a3eab5d0170a8813b1d501f0f025c709dafb2d620bfa783e bc7e0a9d81a66fa6a8659e75b68703d0a697dd6b0beec18ff1f255bed02c9f4049c6b6d48f66deb2cf9ebdfa14e09f3a\n"
			,
		.n_recs = 4,
		.recs = {
			{.dir = TLSD_DIR_C2S, .type = 22, .rec =
				"1603030044423cd647a074e337d0f93590275bdb7fdf5c7eed8b4a3fd686f353fec0d024f102bfc8b0c22c8ab8e2547e"
				"c496b0fa83486d823b7f85c4462ccaa1204835fb00516707c4",
			 .plain =
				"1400000cde37ffd7de63c5f01014896d"},
			{.dir = TLSD_DIR_C2S, .type = 23, .rec =
				"17030300345ab92e8371ad6aa9a57abc1b5fa00bef1d70e1f7af4d827dd8e11517b66760ba2266e11a797237d68367d4"
				"8b9e8759622b371682",
			 .plain =
				"68656c6c6f20746c73646961670a"},
			{.dir = TLSD_DIR_S2C, .type = 22, .rec =
				"1603030044d0128d53c5e29d804c7b66de6a4bd68dc9514e7eca1cae0e0e7ec96303a956f533164554addc4248a3dcee"
				"e4ecbe8a3c227e5ed9684e236c6cc698f7e44bd70fcf85eaea",
			 .plain =
				"1400000ce28401b5c3c9b1dc6f9a8de7"},
			{.dir = TLSD_DIR_S2C, .type = 23, .rec =
				"1703030034ae7305b06cb1321c37b0542b482a71ef4ecd5a33d73dbf4869f286d95da0acf198e619eff3b5b61b246ce3"
				"3c4ffce427fceef31f",
			 .plain =
				"67616964736c74206f6c6c65680a"},
		},
	},
	/* openssl s_client -tls1_2 -cipher ECDHE-RSA-AES256-SHA384 -no_etm (P_SHA384, HMAC-SHA384) */
	{
		.name = "tls12_ecdhe_aes256_sha384_mte",
		.version = 0x0303, .suite = 0xc028, .etm = false,
		.client_random = "38a9613c5fed7b49c62be4a805e38e6f61ab29eed3c52c58e98a6288f958ac6d",
		.server_random = "10742a0477bbc002a2299409a86dc0fab9cc6124d88c0290c66e783ad44c4bda",
		.keylog =
			"CLIENT_RANDOM 38a9613c5fed7b49c62be4a805e38e6f61ab29eed3c52c58e98a6288f958ac6d c065f43a63146cfea6979567b6c252f8219a1be54e15569ae49018ad71a5855332e8c623e04c81315d17678e0220f121\n"
			,
		.n_recs = 4,
		.recs = {
			{.dir = TLSD_DIR_C2S, .type = 22, .rec =
				"16030300604b8eaea1f4879c879647fed7c12c6763f5d57b36d7f11af82325a68536bb25f1ef77a6134b2077c91bcd78"
				"51ea66ddceb7838798354c3de2a09ecd93cddd70a2e37e1b2b3d5d767a1fadfee74310ec9cf94697d66180b5e423ee16"
				"54cf3bbce8",
			 .plain =
				"1400000ce3cdfe2e42cb62de90ed7e52"},
			{.dir = TLSD_DIR_C2S, .type = 23, .rec =
				"1703030050d21e25b074e37e4404a285c1c88e2ac7a871ee4c05a8d0747c85f968bd8af7ebb130989ebc7c51181b03a7"
				"530e2da3b42b17c59d29416c1266d909cc6c2ad824438b194e1eeeb483d415762ee1c8c3c9",
			 .plain =
				"68656c6c6f20746c73646961670a"},
			{.dir = TLSD_DIR_S2C, .type = 22, .rec =
				"160303006076d8b5af4da11881d0b422caa0b2be7d89e9ed8a48f450ce503ba0fdfb14d9caa859f1a3e81e1c25223040"
				"c6eebe201a429b293808d102884e924fd7ed69af18413f6c7d6e1773e6071db0346a034eb54d5798b0f8ecae9fb36921"
				"773310f6fa",
			 .plain =
				"1400000c9616de8b0b582c07ba94e967"},
			{.dir = TLSD_DIR_S2C, .type = 23, .rec =
				"17030300508a5e5a5fa32490b8e2f1e6b8e462039b9f92ffeceac745ad0d83bdf5f7583fc2cb92e45557cbf97a927120"
				"7b574462919040de4552c9629e2210bd2d761f4afdcdbfa4f70fda2e594e2518ef312feadb",
			 .plain =
				"67616964736c74206f6c6c65680a"},
		},
	},
	/* openssl s_client -tls1_2 -cipher NULL-SHA256:@SECLEVEL=0 (no encryption, encrypt_then_mac negotiated) */
	{
		.name = "tls12_null_sha256",
		.version = 0x0303, .suite = 0x003b, .etm = true,
		.client_random = "f8aeda9ebf6f5d4b018c9c1b9501f75e13c07216db0a29788dcc326841b8858e",
		.server_random = "70b439edc391a637acf3ed4e7d3a224707e80099f20a666cdd71e206783ea1bf",
		.keylog =
			"CLIENT_RANDOM f8aeda9ebf6f5d4b018c9c1b9501f75e13c07216db0a29788dcc326841b8858e 38476f62d316467753996350b1eb1c5aa05f6df48a3140b67a9bd8ee776df6722417c8df6fe65980bd6e558668fd3f22\n"
			,
		.n_recs = 4,
		.recs = {
			{.dir = TLSD_DIR_C2S, .type = 22, .rec =
				"16030300301400000c8d61934cf3a0ed335bee8aaef76bf6f1ef7b022e16f55eb67a286fff2788885dbe05d195ab2dc5"
				"179e2b08ca",
			 .plain =
				"1400000c8d61934cf3a0ed335bee8aae"},
			{.dir = TLSD_DIR_C2S, .type = 23, .rec =
				"170303002e68656c6c6f20746c73646961670ab64f7ffcb6d1f5676311a8770179fb8710173eac1d6a9a9667a230fe57"
				"a8abcb",
			 .plain =
				"68656c6c6f20746c73646961670a"},
			{.dir = TLSD_DIR_S2C, .type = 22, .rec =
				"16030300301400000cce580add49284e66b6ae8ecee4f1dfc88566684a6918ef2c9f65a573f6259a99e202cf797f616e"
				"f6375e4d99",
			 .plain =
				"1400000cce580add49284e66b6ae8ece"},
			{.dir = TLSD_DIR_S2C, .type = 23, .rec =
				"170303002e67616964736c74206f6c6c65680a878f81870c27898e171e78cd44a497ec85ff09660bb63951bbd62b0c3f"
				"af1e21",
			 .plain =
				"67616964736c74206f6c6c65680a"},
		},
	},
	/* openssl s_client -tls1_1 -cipher AES128-SHA:@SECLEVEL=0 -no_etm (explicit IV, MD5+SHA1 PRF) */
	{
		.name = "tls11_aes128_sha",
		.version = 0x0302, .suite = 0x002f, .etm = false,
		.client_random = "85d4e63899ec1d47d2341e8e6c3c2938d4416c237dea674de95c54b35c86a13d",
		.server_random = "0936fe60fe8d82edc52ab2b7239f65b49b17a4771d365cb280ab72834e0c2e9c",
		.keylog =
			"CLIENT_RANDOM 85d4e63899ec1d47d2341e8e6c3c2938d4416c237dea674de95c54b35c86a13d 395581ec69c222ba4f8565b5e0c513c424659740917e47e4144c2abdfd9018c38eeddbd3a8d8aa1f071935ad978e8a55\n"
			,
		.n_recs = 4,
		.recs = {
			{.dir = TLSD_DIR_C2S, .type = 22, .rec =
				"16030200407c34a5b3754e4aa2bd3db956d53ae4731a44a09e1be5c7733386b2bd10db1cd4125222c3e3de4d5b9a56a5"
				"2cc5073928e1fa0dd59df004de64bf9fed87b61733",
			 .plain =
				"1400000cb214bfdd728f4019c54513a3"},
			{.dir = TLSD_DIR_C2S, .type = 23, .rec =
				"1703020040561653dcf4096b72832136c9684ca56d0c83f9925b0106b4f98756720543f02c0f72f29e9908f607b4627e"
				"49991056e9d86a7449de55100177ac5f58762c3ab7",
			 .plain =
				"68656c6c6f20746c73646961670a"},
			{.dir = TLSD_DIR_S2C, .type = 22, .rec =
				"160302004056976ba0e3902ae14407fa0148906c0ec843d566ae0c0783b942223136cca00f66e0858f36468193d020f8"
				"c68a7bd55718fa829875ebeb039a17b3db0f8b2e3a",
			 .plain =
				"1400000caf6cad49b29b347341e8a37c"},
			{.dir = TLSD_DIR_S2C, .type = 23, .rec =
				"17030200402f668671f4eb0fc82a8b38f494ca227539007c5529515cb0cd6e219f4ad363032bebe07dc840c86758ab38"
				"484f385818ae2c5986d53a9e1cadfbb4602f9cc365",
			 .plain =
				"67616964736c74206f6c6c65680a"},
		},
	},
	/* openssl s_client -tls1 -cipher AES128-SHA:@SECLEVEL=0 -no_etm (chained IV, 1/n-1 split) */
	{
		.name = "tls10_aes128_sha_mte",
		.version = 0x0301, .suite = 0x002f, .etm = false,
		.client_random = "ee3a012a55236b9d8d09ec7abd2dff84f2e7be5ad40eb01cd846f02ce648da1b",
		.server_random = "e746fb132f0bcbb92e9b4b8bd494801472b4b8ec84924c287225efdad137a7f8",
		.keylog =
			"CLIENT_RANDOM ee3a012a55236b9d8d09ec7abd2dff84f2e7be5ad40eb01cd846f02ce648da1b 020f8bc7c0523ddb7bdd0be2bca8c58995033b3845721159c06312acd913dd9614db035588427d80e4e474a5554e4875\n"
			,
		.n_recs = 6,
		.recs = {
			{.dir = TLSD_DIR_C2S, .type = 22, .rec =
				"1603010030a5b26a0e571f82310b0f033dc3832cf5176211f7870d7bdb19afbcf495c843cec282351ef0dd4b35482a9b"
				"2cec8600c5",
			 .plain =
				"1400000cbddb6d3d876d988ebf5fe599"},
			{.dir = TLSD_DIR_C2S, .type = 23, .rec =
				"17030100202ddbf5121b6c4fbf2d622c86e779d374d0274ce7f3f6dd50c784fc6b39b320bd",
			 .plain =
				""},
			{.dir = TLSD_DIR_C2S, .type = 23, .rec =
				"170301003053626a2d090038f82fdd6b9336376f819aa0f019c18fcc13bae2c0a76182dae559d6004449914ef1e71ca5"
				"b72403511b",
			 .plain =
				"68656c6c6f20746c73646961670a"},
			{.dir = TLSD_DIR_S2C, .type = 22, .rec =
				"16030100303de039ef4c4ed8953846244ccc1c2e910608beba6815d4257b4e84873dda2e6b85c3f3adf9a9cb324a0576"
				"3c02f4e6a5",
			 .plain =
				"1400000c159581e2cf1885748d7646cf"},
			{.dir = TLSD_DIR_S2C, .type = 23, .rec =
				"17030100206369e31c2d73d2072a689ab518fccf46d5037d8406e9c99f220fc7df42be851c",
			 .plain =
				""},
			{.dir = TLSD_DIR_S2C, .type = 23, .rec =
				"1703010030156f5e488b12e92ab11305db42cfc99f55a29af0fc4b77d9868cbbb92741efdddced5153ece5828c795517"
				"2c8bff9f46",
			 .plain =
				"67616964736c74206f6c6c65680a"},
		},
	},
	/* openssl s_client -tls1 -cipher AES128-SHA:@SECLEVEL=0 (chained IV, encrypt_then_mac) */
	{
		.name = "tls10_aes128_sha_etm",
		.version = 0x0301, .suite = 0x002f, .etm = true,
		.client_random = "1d85389b960e28e3a9ba4aa4184f94fe94439e3eedb1bfa3769e320bcad2a525",
		.server_random = "6be231ab8fdbf780d3fdf809c7cfdf1e8e35d881ccc7388ea1b81e2736938d5e",
		.keylog =
			"CLIENT_RANDOM 1d85389b960e28e3a9ba4aa4184f94fe94439e3eedb1bfa3769e320bcad2a525 adc0e1b41b823e7323be2fe0e58f453467d9f9bee8b565b8d6f3185ab92d148612eaab83723f27747e73c47d3a87a83e\n"
			,
		.n_recs = 6,
		.recs = {
			{.dir = TLSD_DIR_C2S, .type = 22, .rec =
				"1603010034116b530bcd2d15bb564882f39333c38918eb1063ef74ce082f445da304820406570be0fa136355af831079"
				"d4e353c4f3e96fa8df",
			 .plain =
				"1400000cf0c8ae5edcee2d37ac706791"},
			{.dir = TLSD_DIR_C2S, .type = 23, .rec =
				"17030100245674aadfffb7a13801f0c8c9965a7ca4b9c2e953a11635de40e1369a2738dfb163359a3b",
			 .plain =
				""},
			{.dir = TLSD_DIR_C2S, .type = 23, .rec =
				"1703010024855c13980c12393f75bc70017b7a62e7a9c57c2e3b4884b687312776c399c2dac7657f2c",
			 .plain =
				"68656c6c6f20746c73646961670a"},
			{.dir = TLSD_DIR_S2C, .type = 22, .rec =
				"160301003408b189e22611b60507a603aa8eb85444c26208d8acb02e3729ca35c639e1adda0994e7733d4b30ff15ec74"
				"bb6822c3269019b420",
			 .plain =
				"1400000cd1360c203c31117ec3420971"},
			{.dir = TLSD_DIR_S2C, .type = 23, .rec =
				"17030100245a632eb20a0c96fd94070d6ae0ed4fc786a2a0c8997067a7bdc4fb10ceb524248bbfe0a1",
			 .plain =
				""},
			{.dir = TLSD_DIR_S2C, .type = 23, .rec =
				"1703010024036ee7c2101ee8943e48e47a3ee2cf3dcd2ef5b0e2570123e34596c2ed6a2edd42d779c0",
			 .plain =
				"67616964736c74206f6c6c65680a"},
		},
	},
	/* captures/tls10_ecdhe_ok.pcap (TLS 1.0 ECDHE-RSA-AES128-SHA, encrypt_then_mac) */
	{
		.name = "tls10_ecdhe_ok",
		.version = 0x0301, .suite = 0xc013, .etm = true,
		.client_random = "8c123846d95d39e9bd9992ee34a0b092252e0c67bf871b38fda5cde696cb7f5f",
		.server_random = "9df22c3328c39281efee8ec3833d80f26f06e4065c5e8cfb96868195f3852e89",
		.keylog =
			"CLIENT_RANDOM 8c123846d95d39e9bd9992ee34a0b092252e0c67bf871b38fda5cde696cb7f5f 4a54ecbee00deb1a309d247cc6038837d504a4507f8ac9a5374f85eb3b446f148821a139fd1e20581b3e63c950f5be00\n"
			,
		.n_recs = 6,
		.recs = {
			{.dir = TLSD_DIR_C2S, .type = 22, .rec =
				"1603010034288322ee1a6af80d2d9c4e12ee1dbc070eed8e31109e83b354aef23e2ee7e6553dc824e9fab1b288d274fd"
				"5bae8c6644df4fee20",
			 .plain =
				"1400000cf334b0671e0185183c10fc57"},
			{.dir = TLSD_DIR_C2S, .type = 23, .rec =
				"170301002446950077adaa4b7b07be8b40bb733cc6a2eb26699971b4138c7187e0b6641e4848699930",
			 .plain =
				""},
			{.dir = TLSD_DIR_C2S, .type = 23, .rec =
				"17030100349a992e13a3a803ba048b69488f2f4b37f401be49c75eb733d275831df9f3cb78dd592aee72de2b2c204277"
				"8b9bac5993c1298f3f",
			 .plain =
				"474554202f20485454502f312e300d0a0d0a"},
			{.dir = TLSD_DIR_C2S, .type = 21, .rec =
				"1503010024dc0f7f623a73b7af62693e2478465ee8cc4bbbff46a91881ab74a4107aadfa0b6eadabdc",
			 .plain =
				"0100"},
			{.dir = TLSD_DIR_S2C, .type = 22, .rec =
				"1603010034e202897cfeae7d456219ed5a8b2e9d1f012efdf57e878b726cc8786ebeb1d77b305b8f78143e5c844f1f70"
				"3b811b1db1f00bde25",
			 .plain =
				"1400000c8fbbc936cc6ffe078bdc4559"},
			{.dir = TLSD_DIR_S2C, .type = 21, .rec =
				"1503010024f1532be59c6faad0e07a8f53f5ac2fc29facb9055b6eec3a56c05604033d5cb28669f9fa",
			 .plain =
				"0100"},
		},
	},
	/* captures/tls13_client_cert_required.pcap (TLS_AES_256_GCM_SHA384; the server's last record is alert 116) */
	{
		.name = "tls13_client_cert_required",
		.version = 0x0304, .suite = 0x1302, .etm = false,
		.client_random = "89988162bbb505cc48e3a2fa9cb6f2c933858a9c3f426d8400e26e96602d44c1",
		.server_random = "5f980e5ba70e830387b847f5e443d185ee64b34050a2711191dcb42fb67fb3f9",
		.keylog =
			"SERVER_HANDSHAKE_TRAFFIC_SECRET 89988162bbb505cc48e3a2fa9cb6f2c933858a9c3f426d8400e26e96602d44c1 c0238a534ffb4ad9389f87eceeb60715ea5e2371daa5a33bcdb1ceafe9b38a7c102728a838775c9a6a4e902aa8e30715\n"
			"EXPORTER_SECRET 89988162bbb505cc48e3a2fa9cb6f2c933858a9c3f426d8400e26e96602d44c1 66203de22fc83b3911a9f60b2c5a31ed5e225e5a335e623a3c2ccaca235bf7fda9a04f89463e4d10a25b849c588767e6\n"
			"SERVER_TRAFFIC_SECRET_0 89988162bbb505cc48e3a2fa9cb6f2c933858a9c3f426d8400e26e96602d44c1 6f7887b3efb131b7173b86ea0d2110f8050bbbe2826c1b2081b593bf97a28af1a7e2b821fcefcd9e9ecf020bcec8e23f\n"
			"CLIENT_HANDSHAKE_TRAFFIC_SECRET 89988162bbb505cc48e3a2fa9cb6f2c933858a9c3f426d8400e26e96602d44c1 65abcdc3c9e9fb0618ecb37dcd04f6a5754d18550492f841da53e8eaa92304a093a10aa4da9b2f0c77c36fbac3a34e70\n"
			"CLIENT_TRAFFIC_SECRET_0 89988162bbb505cc48e3a2fa9cb6f2c933858a9c3f426d8400e26e96602d44c1 5cd98397f71ddea760a08c53f1488b98406ab784e4a1dcf6631cfaf655dfdfe047d9e420a32e22265040ba03c93d40b4\n"
			,
		.n_recs = 9,
		.recs = {
			{.dir = TLSD_DIR_C2S, .type = 22, .rec =
				"170303001974f77083bed8f8a28d481ae2b3f93203c80e7108a21e45beea",
			 .plain =
				"0b00000400000000"},
			{.dir = TLSD_DIR_C2S, .type = 22, .rec =
				"1703030045f002df09b7920698a619f786b9223bfe568da9dae9ef45cf421e761d7967c00c5608985ac25019187fd678"
				"5d9746aee25c7824c51b69f2637e88b61ca5ddaf30307c9c6831",
			 .plain =
				"140000309f44f238e79bc7f4d0642fe21c8fd84d2311b57c24eec44a52118bc0c186e1e5e4764650ea60025010ff3c33"
				"77d9b77d"},
			{.dir = TLSD_DIR_C2S, .type = 23, .rec =
				"1703030047dfb34c9fe1f7b851a3c704b9ffd4ba449e5662e3ac069efe5d544dfa510a7c347010fe0033a7cae6722ad8"
				"e599175555f384e9c36e4861bcdd92718a2a3009eee3dc6b5f33418b",
			 .plain =
				"474554202f68656c6c6f2e74787420485454502f312e300d0a486f73743a207365727665722e746c73646961672e7465"
				"73740d0a0d0a"},
			{.dir = TLSD_DIR_S2C, .type = 22, .rec =
				"1703030017897b606d931216322ca706d7b7ec7b3f168999275a9769",
			 .plain =
				"080000020000"},
			{.dir = TLSD_DIR_S2C, .type = 22, .rec =
				"170303007e69441b569cf86e5976c13f3405d8bfcd088964f7ec4aebc0236ef9b5fdb94bc0bf4035895f927229e97b5c"
				"b598137ee337541f943d1efb3a98acf8cecd9f2df40941806b6d37b7a0ff5e3cc807faffb3c8735858b0d1a4fe0f7c82"
				"2ad037fa97ef97657b5e02cd0296cbcd82f9d701fe274f76f8a27e2f8b50d4b9040a70",
			 .plain =
				"0d000069000066000d00220020040305030603080708080809080a080b08040805080604010501060103030301002f00"
				"3c003a0038303631153013060355040a0c0c746c73646961672074657374311d301b06035504030c14746c7364696167"
				"205465737420526f6f74204341"},
			{.dir = TLSD_DIR_S2C, .type = 22, .skip = 1812}, /* not kept: 1795 bytes of plaintext */
			{.dir = TLSD_DIR_S2C, .type = 22, .rec =
				"1703030119c0bc7e1608812af4b24b84beda6db4051620759b601e296c752d81c33abd69fd089b2a7ab4225cfbe1b23c"
				"1d0997ab58ffd4e3e8af98ce669d077fa31fb1ba2fdb47cc135f26662b72a01c0c18e1d9c71e748004ab84aac4fd4a59"
				"7a74fc34c8be49dea968b3a555f5ac44aef2551cf4f079eb730ca191edd0bfc3d7f2a4e16113eca3ec16d1d99f8b7de7"
				"e69e7b088093405fda09b59de2268f686a3a01385ad374e259090c391059575d3742bd7c520ddadb9ec8d8f2e255dc1a"
				"643a78d41663e48527cb8ff753d89b75194466a132f823738ded0d7b2e660279f7c4d40f680d5aa6263f8864204bd77e"
				"3163899645ee98df859f8b682e81ddae7990b2ecc86914849594b560f3e51e1e779e5c070dd34a0baf71628e5f34",
			 .plain =
				"0f000104080401004e8853e4c3474eb47057dc97a5bacd5cf781a067b8399c0aace3c406fa17881e5a3748dba32bb345"
				"e6ab21516a2c1ff7f8b9ca24056827745007a0b550dcab62b1b2330af1a2c3647a01f9accfab50d82117b5ab95fdcf4e"
				"b61443ef1b8d95ec91ad853fa7a669e38125dd151d14f301241a45199b180a79d2d025b99decc81dd748d1031940b202"
				"aa31229656e8db5fe635102a24f3753a36d29fb4d1697fb53654daeb349d27bbf971cccf53b9a37198d967003892b8c5"
				"59c3ff14cba1e57ae3ec56dc685e82a955347261d05d1d88e8fe621016dc994e24bf48fdfa00bb59cc1b4017b06957d1"
				"a7206c10a1c03853e3471f8006f242f043092eb849709f52"},
			{.dir = TLSD_DIR_S2C, .type = 22, .rec =
				"1703030045b1bc05d55889326ea69d12203993a09d9195aa42a77f9748a18f037b20cf69ba805764753afef8f0d1712c"
				"7e6183a4578092ce1f71c30416f64e9b0fff4fdf757df5f8fd7f",
			 .plain =
				"14000030dc48107b0f083d78a2923afc214414e9f74f5e74a222d8d04ba4b1ae56965dbe478d3a904fb3b8864a79eabc"
				"a60574be"},
			{.dir = TLSD_DIR_S2C, .type = 21, .rec =
				"170303001378f8d29b3bd434750659c9509e26aa803ceb78",
			 .plain =
				"0274"},
		},
	},
	/* openssl s_client -ciphersuites TLS_AES_128_GCM_SHA256 */
	{
		.name = "tls13_gcm128",
		.version = 0x0304, .suite = 0x1301, .etm = false,
		.client_random = "d82357b69a53b3b5c11272e0dabddbd8bf67cfb5e02de42f6056d3bccbd700a7",
		.server_random = "c7b1d5aa043ee4cb88d02287be265475e58277c01efcefc5d64b70f43d1db825",
		.keylog =
			"SERVER_HANDSHAKE_TRAFFIC_SECRET d82357b69a53b3b5c11272e0dabddbd8bf67cfb5e02de42f6056d3bccbd700a7 6c80a15d583568108236d6f3ff45a52705bc910281ed20deaba1902c0ae7d71a\n"
			"EXPORTER_SECRET d82357b69a53b3b5c11272e0dabddbd8bf67cfb5e02de42f6056d3bccbd700a7 94f3e8f6defd3442407541d86846d0ec3066bbf46c9edcb7b5cff047d9042511\n"
			"SERVER_TRAFFIC_SECRET_0 d82357b69a53b3b5c11272e0dabddbd8bf67cfb5e02de42f6056d3bccbd700a7 d475a40b4f6d0ac5d8bd0ab109768a7417e7f7ac8efee988ad424c04f2c5d9a4\n"
			"CLIENT_HANDSHAKE_TRAFFIC_SECRET d82357b69a53b3b5c11272e0dabddbd8bf67cfb5e02de42f6056d3bccbd700a7 6bea54a75a29395af38cfdc80b494b02d54547609773f5d01d3669547f28f4f4\n"
			"CLIENT_TRAFFIC_SECRET_0 d82357b69a53b3b5c11272e0dabddbd8bf67cfb5e02de42f6056d3bccbd700a7 f4b596c4579906bcd7d731584aa780f8a0c8aa2f5c04590041574d26c4d77fd7\n"
			,
		.n_recs = 9,
		.recs = {
			{.dir = TLSD_DIR_C2S, .type = 22, .rec =
				"17030300354a6e3c37e6755a741633ba657369bd009aa7657d43801704fcb2ff8eeb932499cc85989c37bb3f71c1136e"
				"a0baa161f9d398c2ab96",
			 .plain =
				"14000020cdd9bf2f110a3c2891c0a212d3ed4074d5b809b48368689ec3be58b0627f9a17"},
			{.dir = TLSD_DIR_C2S, .type = 23, .rec =
				"170303001f8c7783682af7229c4f705730671316d1d6b509ebbeb99108cc30ac4feed9f4",
			 .plain =
				"68656c6c6f20746c73646961670a"},
			{.dir = TLSD_DIR_S2C, .type = 22, .rec =
				"1703030017c361ae7f933d0efa94f2807f697bbdfb564d07811c97e7",
			 .plain =
				"080000020000"},
			{.dir = TLSD_DIR_S2C, .type = 22, .skip = 811}, /* not kept: 794 bytes of plaintext */
			{.dir = TLSD_DIR_S2C, .type = 22, .rec =
				"1703030119167b6d4a87c856f1787738fcab7440f545e75e9fe322e7abb21b63bfeb46a24025439a6116564b26bca2b0"
				"c0617aa02fc3878dd661621e0ff972d6009819e8e25273770f79865f3831fc1618bfa28c089bf8fdca9296692edb8c89"
				"06158314d3fd06f6b20d1d7719f522e91318cf6d4d39ef3bc17790bf0082d98ffde579500c7a4ec1c3a18cce27bc57a1"
				"f44e29f813e0631e63a9ed86d893b6dfe7311d2c68ea8e313ea40dc6349b2b884d66364d62dfbe5d1ed8fe867a729dec"
				"14b1bf453fc6a91bf234794b01f99ff52561159a55ea74fa2870efb550e4efe95f8351efd7af92f0d77e2c9b5a8d39b9"
				"efb92cd30ad7a214b1b28fd08576c7d5869ccd10b52156de283a62a3d1aac209129c3217b5326d1da568cfcb2b0a",
			 .plain =
				"0f00010408040100461099ccbf810ec6d1325a33626f7544d51b7bb1ead6d344174a02e121b1af057e20479fa02d753b"
				"0aad3e4df042d553dbac0d25f290c457d732fa3b9e49bf3371c9954bad7dab65b885e3fdfd1abf1f72511ae7c0a29822"
				"ce26c63a545c717dc78d8f4d67ecf5ae82cbecf0fda7f3f26c377f8ab365c0ecc1f8dbc675e28acbe8c6cc1c74d85b38"
				"6c50287790b2abafda22ced57b554772fdfe8504e323ea34b09fa73601be6033f890589c820953925f0b4de1925d0d1e"
				"a70cb49ece85e3bfbc374f3ba3e59e5ab1611b83734f4f23775809682d24b85f4c274b562aa7851201ebf134d48b1613"
				"5103dd283619e9bad7e596c7f9ca353f38840544d2c5d514"},
			{.dir = TLSD_DIR_S2C, .type = 22, .rec =
				"1703030035353168ec8b5d7e144cf4bf9430f99d14697f81e61242541940a3c8fee960f2333e1750d9920f8e50a6b57b"
				"26c3f92aee559f7e203b",
			 .plain =
				"1400002053980dc94308fc1d99bc93a4923c63aeb05b2972ef8fab46862f0caafcab6f86"},
			{.dir = TLSD_DIR_S2C, .type = 22, .rec =
				"170303004a59d679f208c5d5553cc231d63a546b9cff38fffc463df6ada7d41be9b10316c382881ce9db518952287652"
				"c654170e53619a2aea163a9308bf2d8117a519740ab31b3aac072d9c148713",
			 .plain =
				"0400003500001c20aede063208000000000000000000202007e7d5edd57df557fd3f9eabe903c831d7ec7d340f32b08d"
				"bc4e565d660b4b0000"},
			{.dir = TLSD_DIR_S2C, .type = 22, .rec =
				"170303004a445b4456e900ce37a2a3ad6f08fc9cdeb421a7830be8c74e8e4567da4171156de5a7fb3bd76081d438370a"
				"a1a3a33ab626ed39792dab9a93b483f16dd3408226c899ecb7cc342f053a29",
			 .plain =
				"0400003500001c2093dee6dc08000000000000000100206e7bd8caedfe3dc80554d7576d1d80ba3af64ef038692f171a"
				"803e7ba91eef4a0000"},
			{.dir = TLSD_DIR_S2C, .type = 23, .rec =
				"170303001fa4ae780b43469489ba2001ffe278dba03987659cb062788979fcb68e5b533f",
			 .plain =
				"67616964736c74206f6c6c65680a"},
		},
	},
	/* openssl s_client -ciphersuites TLS_CHACHA20_POLY1305_SHA256 */
	{
		.name = "tls13_chacha",
		.version = 0x0304, .suite = 0x1303, .etm = false,
		.client_random = "c7fe71c610478c487639e18cdc036137fbc3cc77addd9e4ffc1da6cd4308d401",
		.server_random = "2b4903f3c877ce0dc6671fd76d58b5288a2ce5d725d29489c9d1118302e30a52",
		.keylog =
			"SERVER_HANDSHAKE_TRAFFIC_SECRET c7fe71c610478c487639e18cdc036137fbc3cc77addd9e4ffc1da6cd4308d401 276bb055f8d90be1aacddd0e117323063023e8f90c56bd2fd071c5b64b8d918a\n"
			"EXPORTER_SECRET c7fe71c610478c487639e18cdc036137fbc3cc77addd9e4ffc1da6cd4308d401 31de3c5e4f6e41147b4de850b3f33437f10f192c094a8229ca448106ae89220f\n"
			"SERVER_TRAFFIC_SECRET_0 c7fe71c610478c487639e18cdc036137fbc3cc77addd9e4ffc1da6cd4308d401 4c61a00bad7ad5eb9f3b1285cc4139bd6d5db8c59eead106f1734469480d9d5c\n"
			"CLIENT_HANDSHAKE_TRAFFIC_SECRET c7fe71c610478c487639e18cdc036137fbc3cc77addd9e4ffc1da6cd4308d401 67c9e23f4b09c373d567f44c5b15a4425ff5336261ba8e04266cbc9a74d91b25\n"
			"CLIENT_TRAFFIC_SECRET_0 c7fe71c610478c487639e18cdc036137fbc3cc77addd9e4ffc1da6cd4308d401 77e4614fa6188b891e2cc75c67c986196654c2680b0a72575481d3adb3e72390\n"
			,
		.n_recs = 9,
		.recs = {
			{.dir = TLSD_DIR_C2S, .type = 22, .rec =
				"1703030035d0c0042d53ac89f6413dad6f0afdfa2ff26c32b9aa953419c52be197d6c8d744cbce265f29a701317a648c"
				"a4be2e8bf12912cf1a4e",
			 .plain =
				"14000020da5bc79b1bff70edd8977ea2a348fd20d1b0f3bf3357932fdef370ee8b71e580"},
			{.dir = TLSD_DIR_C2S, .type = 23, .rec =
				"170303001f9df7da043638fdecef3c3d7daf965ab97683a0ee0293facba01623d048b626",
			 .plain =
				"68656c6c6f20746c73646961670a"},
			{.dir = TLSD_DIR_S2C, .type = 22, .rec =
				"17030300176f60c3ee6cd7df8950d4ba3e4aca26b052730f5da94f83",
			 .plain =
				"080000020000"},
			{.dir = TLSD_DIR_S2C, .type = 22, .skip = 811}, /* not kept: 794 bytes of plaintext */
			{.dir = TLSD_DIR_S2C, .type = 22, .rec =
				"170303011961beda7dbd2a17f9a341c09664d46d5033431645e2a5c8e671a627f969efd1736d35652571b380b3fa18c1"
				"56231f83062996b1193af09051832c7f65205668d786acc90702cf85a342788db65331b0f65bc5e35dda4c3cc8f35843"
				"fe4b59b00d4f11ed11b1de7b598b778dc2bfc177e38d138b5c67ee6aa8974449cd715c950c2f0dde3897f69d2d0aef38"
				"9cc40046cf55b66a03ae8aaa94147428c9feda47ad7145fa5d79cfe7190a44342270c1e45edf5f144348c7f0ec08e27f"
				"894389512c23fc33dbb587989700835ce1442897068b7340fe2af95af3852fe87a4a8bc08b5e2f1d2bcd17a3b79c7a9f"
				"165b55ab78e5324062e6ff1b73e77d68fd8a73b839eb5102ae48d1978f2761d1676c8fbbb02a5d4208b6addbfc51",
			 .plain =
				"0f0001040804010004a46dc135256905ac08f0a94fc3c885ecf328506f2ecdb73ee4541fcd4fbaa0b4f51e712c041a5b"
				"db3aa7a8d979e2014e09971a64a43a2e3cbb65ffee05e33e83bd2640d56533fabda61552f5232873382e25b56947c282"
				"99f82e0a73fa23f664088157ef23daddc483b839918947df941a569bfa2d7189c2e98ac7b7914b85530ea8f9bcd85a58"
				"a4c4ed31cdcd4df42a6772bc30bb6c625147aea0268ac2de1d0f3adfb32d67b035b5bb08cb49822cb4f5c8260432a29d"
				"2f155925bfd4195f9ddb3c44d8511aa3cb21e2878a2d29a88c80531ca9970d1b47f584698209c51170df350c57f81621"
				"a5b76650c838899a934a006c185a28eea32f9540d829d645"},
			{.dir = TLSD_DIR_S2C, .type = 22, .rec =
				"17030300356a0b9b37a99c6977813ce59c13b8cea6075dab5b81bea98e4a925030db8953665e94263635b4669e46ada5"
				"0624ed619f8dfbd0b0e0",
			 .plain =
				"140000203b57aa335456effd54149b1b08fc866605c86c2e2a01a0cec16c2f8f10674c96"},
			{.dir = TLSD_DIR_S2C, .type = 22, .rec =
				"170303004a50fa78e0206b38c4bbfe5694a6d0f4d44dcdcff8874ccbcc2384d38492552ff65fe0a138caeaafe370f599"
				"50bf8d590305984a8cb3ec4018cb820e02b14f792e23854a39fa2f1006f27e",
			 .plain =
				"0400003500001c20a462cd46080000000000000000002098e5544b0b8aeaf4d2ec2f85153960cefcebd96aa5ae7f0e6b"
				"9e396a68a8bd6b0000"},
			{.dir = TLSD_DIR_S2C, .type = 22, .rec =
				"170303004a2fc6037e791c54c99b759d4e69ec7c4ad271ebc5a0f45dbc6caa451920ede5fac9b75b8439d4fc8f173881"
				"3368b8a68d92a9f89bf6d18fd30d314cf462d8504e56a2a9cf4ec4b4e32523",
			 .plain =
				"0400003500001c20a230931e0800000000000000010020174ddf6eda1f768a936e66b7059688b3f27a0300b54156acb0"
				"902f9c018a4ccf0000"},
			{.dir = TLSD_DIR_S2C, .type = 23, .rec =
				"170303001fec9780237d1f42372dc3192fd7fde442f669cde20623b4e13f771fdd72e6eb",
			 .plain =
				"67616964736c74206f6c6c65680a"},
		},
	},
	/* openssl s_client -ciphersuites TLS_AES_128_CCM_SHA256 */
	{
		.name = "tls13_ccm",
		.version = 0x0304, .suite = 0x1304, .etm = false,
		.client_random = "3f84eaecb2c6cca871b6eaf4b431f23b0d6bf6a155bcfaf50f11808463012598",
		.server_random = "1f77d50cc949fd1c792ff5e4eb51885a77aeaf523f2e17ab3d9bc2a9fd3e7a1c",
		.keylog =
			"SERVER_HANDSHAKE_TRAFFIC_SECRET 3f84eaecb2c6cca871b6eaf4b431f23b0d6bf6a155bcfaf50f11808463012598 6a1186e1c93c2c6af577955618324c47a6e2f8b04fb22798daaf275226292a79\n"
			"EXPORTER_SECRET 3f84eaecb2c6cca871b6eaf4b431f23b0d6bf6a155bcfaf50f11808463012598 5186cec90578bfdab12cf4879a0a70178f9167d662587824567b68e349bae846\n"
			"SERVER_TRAFFIC_SECRET_0 3f84eaecb2c6cca871b6eaf4b431f23b0d6bf6a155bcfaf50f11808463012598 f6204ad6767c1e5672cc8904da210a56fa1a61402003dcb10d71908e80dbb39f\n"
			"CLIENT_HANDSHAKE_TRAFFIC_SECRET 3f84eaecb2c6cca871b6eaf4b431f23b0d6bf6a155bcfaf50f11808463012598 eed9b2683d4aca27e12d4717e9cd5dd0b7d4fdc3449216a451df7e6c81353339\n"
			"CLIENT_TRAFFIC_SECRET_0 3f84eaecb2c6cca871b6eaf4b431f23b0d6bf6a155bcfaf50f11808463012598 e1ae37b32b3d419b42b895a81373ef874fc36137b54d7fbe39e39f1e53d51dd0\n"
			,
		.n_recs = 9,
		.recs = {
			{.dir = TLSD_DIR_C2S, .type = 22, .rec =
				"17030300352073945f4f1d2e7ef6e8441e3b705bc7fbd90aa458970c6be3070b4340b4d5bc76e00cfd5dc6bbbc04fab2"
				"8175dc8a6001c88ed970",
			 .plain =
				"14000020ad0bceb6f0f3b423db5d1f155641fcbf79f6dece6f79e3cd5d1d598f89629b08"},
			{.dir = TLSD_DIR_C2S, .type = 23, .rec =
				"170303001f82f47c4f4d9ad436f8b6a0f13fdcf82a2c85d4234bee2aea3732d634379dcc",
			 .plain =
				"68656c6c6f20746c73646961670a"},
			{.dir = TLSD_DIR_S2C, .type = 22, .rec =
				"1703030017545cfaaa1a673baaeeb12eef2a6fbcd9479cc6d55e6252",
			 .plain =
				"080000020000"},
			{.dir = TLSD_DIR_S2C, .type = 22, .skip = 811}, /* not kept: 794 bytes of plaintext */
			{.dir = TLSD_DIR_S2C, .type = 22, .rec =
				"17030301195f0241c3449b63133b5716be97e2ba48e5e598630d435f05fd9f98e7934b211facc84f91784ac658f5cd45"
				"5ad3d3ff3f528c7c765f80c3f35c126aa2b9509ec88586d034739f2bd8dbdfe14ddd9c761d8e7975b1030d4de7cde30f"
				"28cb1e156ef11ca26a8ade9ed496098bb037cf3974d2e6a343853d240255baf8da9c039697c058611330b85fb78e2d17"
				"e99ac2c117fd515f4e1e9057a9cb8058fba22650ce288150573be59577fe0cddff38367c11063276a8e16ba8d808aaea"
				"13430efa5c9b2e38106a1311b04d340ac34e6834ab0c8ec32739a18d64b818e76bb19cb980d1c8ccf856996f10d0c398"
				"2dfee5de2b649d097fbbb4382e79c841129a17afb918aeaa94077e60bc2a4639a7483a7daa2136a5f27ca3b8078b",
			 .plain =
				"0f00010408040100170a567349e5293a0890c3122bfbfe0684389a50e2e3e2c34300fb5e6069b197818fc98e81b7206f"
				"5969ec7851dac020743c0ac47278dc6ebf49e73e849c0dd63514081ce23ee193215dc62944deecf14e841909ff18ee5a"
				"d48eabbbec345069f52fe6da0ae190049f74d8f09925268a65e5e9546d078574e5fc8c4aef64481c8812b6af3ec20382"
				"e57b822877a6efccab1bb71df9792705a6ecc0249ded7ca745d28626c49942b171a1a06722925b5616f9dbd9fba8a007"
				"e8f4fee96c465f8843ba0a2fde82ebc51efa1d96ea0386fba01ea5af4cef3b3dcdaba94399f81ebf29fabd36817b35bb"
				"62f1e210960fd98789e23fcb641b14d4d0e370e9fbd70b9e"},
			{.dir = TLSD_DIR_S2C, .type = 22, .rec =
				"170303003503f06a9c58c6339d07bde500ae61529eaeba7a2f50ada566e8205745090c93e09093d1bb19be2c0402ef99"
				"77e2f13ef3aa399eccac",
			 .plain =
				"14000020afe6061aa5eb8b7a562a7fad83fea191f7d9a208bf48fb6111e5f9ee1ab90444"},
			{.dir = TLSD_DIR_S2C, .type = 22, .rec =
				"170303004adfaddbd155a2460584961aedd6f5765a9eedfcf38fe6368b9469b299a9aa0bea6ed1fda6a5951feb4a0e72"
				"1c8946d33aaee820027ced8700e269fbf4e0415b6f72b76616217449642197",
			 .plain =
				"0400003500001c2041a26d550800000000000000000020e690f2954e001d4d42d54eeaf6da174246b11f07e955a92cdc"
				"0a1ffba617b8ff0000"},
			{.dir = TLSD_DIR_S2C, .type = 22, .rec =
				"170303004aaa7c9aa671bd7b57151f2fb887456d506c6506ecf296797d3cc9336482a21be27c3f6becdb99df3580c47e"
				"032da347fbd7672dd044960c5dc77251e4d120fb09640586fc57661d622a84",
			 .plain =
				"0400003500001c201bc9039608000000000000000100200ca67af18313dfd3b25eb1c80fa0cc701660b088d298756e86"
				"78d57e578248920000"},
			{.dir = TLSD_DIR_S2C, .type = 23, .rec =
				"170303001f605f9a5a0a66bdc38254756e87eceebfed5ff14019ec9594a2f73870f98b46",
			 .plain =
				"67616964736c74206f6c6c65680a"},
		},
	},
	/* openssl s_client -ciphersuites TLS_AES_128_CCM_8_SHA256 */
	{
		.name = "tls13_ccm8",
		.version = 0x0304, .suite = 0x1305, .etm = false,
		.client_random = "22fa81f801547e3739fd384e7c015971652136e5fffb8163652a4e7d64d19eeb",
		.server_random = "635151e420b587975a9dd961429dff0f1ffbcd262f0af13ed8642e32be7dc460",
		.keylog =
			"SERVER_HANDSHAKE_TRAFFIC_SECRET 22fa81f801547e3739fd384e7c015971652136e5fffb8163652a4e7d64d19eeb ef6a0bb6f3480c75eedc5c0802a6cb46fdd6d06ca8c0a61e988a6d62f3e7c6a8\n"
			"EXPORTER_SECRET 22fa81f801547e3739fd384e7c015971652136e5fffb8163652a4e7d64d19eeb dd5fba28ea88a38476040386dfce65b3f1ed7e4541a05c584d52af23a7ad77d5\n"
			"SERVER_TRAFFIC_SECRET_0 22fa81f801547e3739fd384e7c015971652136e5fffb8163652a4e7d64d19eeb f118e5b2a06eca4e969efcc1736c76da2ac355695672c6673edea68fa2a53677\n"
			"CLIENT_HANDSHAKE_TRAFFIC_SECRET 22fa81f801547e3739fd384e7c015971652136e5fffb8163652a4e7d64d19eeb d33462e5915633f5a0c4da1c58d94f991446dbc5b518ee9c4598a4ebf43f1dc3\n"
			"CLIENT_TRAFFIC_SECRET_0 22fa81f801547e3739fd384e7c015971652136e5fffb8163652a4e7d64d19eeb e7d7356904308820c0eafa382eb68a8dec77a7275751e9fe656969d1fa984695\n"
			,
		.n_recs = 9,
		.recs = {
			{.dir = TLSD_DIR_C2S, .type = 22, .rec =
				"170303002dec9b7018189945c240f2c91a13c1f3d12cd5934f5001b49b4eed5d3178975e218fe95d49df7105bae31096"
				"200c",
			 .plain =
				"14000020a42072365b655585fd46e0a72b9ccac9bbe402c86e06081a25563a8e2c1cb753"},
			{.dir = TLSD_DIR_C2S, .type = 23, .rec =
				"1703030017d5746d3c1942a1fe100708b779ce197f9b4ab6e8ca3181",
			 .plain =
				"68656c6c6f20746c73646961670a"},
			{.dir = TLSD_DIR_S2C, .type = 22, .rec =
				"170303000faf15c86a2d9ca670d3958aefe2af40",
			 .plain =
				"080000020000"},
			{.dir = TLSD_DIR_S2C, .type = 22, .skip = 803}, /* not kept: 794 bytes of plaintext */
			{.dir = TLSD_DIR_S2C, .type = 22, .rec =
				"17030301118fbb7aac195071b57e4b50d3b7bdff0176169341324e8ba72b050b64b341843ebe1032f3e98ba6e6a46027"
				"54f324dc3452a0a3b23baccc092923a5c7ed9baac2e4457958e02d7a3222ca1e1326bea26104805be2965c97d9322238"
				"ad5baafdf9bb4b819b3c617fc6dbb1f22e5d687846e12e0cb30723e4f06350f180990713ceb2379d02e5de3ce15a5ae2"
				"f909133ac20e0cf24ed9c5ea82bc734cd693f862b6dc5187a1ee6ffc193e7d3e2840e40b6a297bc461ab40a458383233"
				"a95288757067e57d90c0d83cd2d7ff6aa3df9e27f8e28202ffd62938172dff5918efaa9d4dd3e86366c05db8584ee2db"
				"6d65ed5cd75d56d5862ebe4e73e1a59c82e4e0f71f1c006d4aa7010887bb4889f5b9a83e01b6",
			 .plain =
				"0f000104080401005dff2d41f04b392925cd20685f40ca60b62cbeb8cd05867c43aea8604d71749d2af68235b2315d26"
				"35b2b6d23a6238e4bace2205a6b66ef9de2094edaa34c28ed57809c049377d6d39a55657a2ba7c59be251b308d76f903"
				"97409e73644f7f52ee9bb1821719f052a0f6989b98ec1de5b76ca4c1595fdee265dc9f7466be331c2cd1d6a370254d52"
				"31530f55e5ba135611fc930e1fb3ee9a02f928516b6a085d06bc42c11c07304777bdab4759b9f6e2bfce7f55d2685be4"
				"5332be5ab2b8f1a31d81e6bc76fa40d06428cbce22a23968a5e56da4b13210610eafe0047eec944ba92e79a557f61ad4"
				"3e5d1d647316451d7bc80cee299ac0eb7b03c1acdf42039f"},
			{.dir = TLSD_DIR_S2C, .type = 22, .rec =
				"170303002da72022eae426c944e4d22b7a04ea67c3e3e8807d196150310f2d900ec98127aa9ed4892c4f0f916ac6a2b4"
				"0d2a",
			 .plain =
				"14000020f7dd2f3cbc6771404078fb34ffd57a086452c071378d98251e181204cc45bb90"},
			{.dir = TLSD_DIR_S2C, .type = 22, .rec =
				"17030300428cc05e8ebd9d37fb30e155d948bd5ae6496dadcdac17c25b6a80da3275753a92d99db323c4c8ef10f0d886"
				"36a934df81675d001ae10ec1bad045e8b90a801b7b7b10",
			 .plain =
				"0400003500001c20f5916d9a080000000000000000002087c598236906ea408dc159d21f2fccd2d9b1e1a9ad121eb2ac"
				"989fa06fbe5f680000"},
			{.dir = TLSD_DIR_S2C, .type = 22, .rec =
				"17030300424d0a851bbfe5d81fa5c96e125ad611bd1ebe74ea10b235eb1f5991f4fac055415e38b801292f6ffeae0fad"
				"a2272e36ce7e046bb9ae807426a3326901952cdec195cb",
			 .plain =
				"0400003500001c2053a5b12c0800000000000000010020aa0b95a80fa4f96625f3d61fbeb5e14f20cc85a46b72d16b1f"
				"04def555426c1b0000"},
			{.dir = TLSD_DIR_S2C, .type = 23, .rec =
				"1703030017733803f5d95be6315ea02445dff40d861ed7be22815523",
			 .plain =
				"67616964736c74206f6c6c65680a"},
		},
	},
};

#endif
